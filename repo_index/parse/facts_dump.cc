#include "repo_index/parse/facts_dump.h"

namespace engram::repo_index {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n') {
      out.append("\\n");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c == '\r') {
      out.append("\\r");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string SymbolLabel(const FileFacts& facts, int32_t index) {
  if (index < 0 || static_cast<size_t>(index) >= facts.symbols.size()) return "-";
  return facts.symbols[static_cast<size_t>(index)].qualified_name;
}

}  // namespace

std::string DumpFacts(const FileFacts& facts) {
  std::string out;
  out.append("syntax_errors ").append(facts.has_syntax_errors ? "yes" : "no").append("\n");
  for (size_t i = 0; i < facts.symbols.size(); ++i) {
    const Symbol& symbol = facts.symbols[i];
    out.append("symbol ").append(std::to_string(i)).append(" ");
    out.append(SymbolKindName(symbol.kind)).append(" ").append(symbol.qualified_name);
    out.append(" name=").append(symbol.name);
    out.append(" lines=").append(std::to_string(symbol.range.start_line)).append("-");
    out.append(std::to_string(symbol.range.end_line));
    out.append(" at=").append(std::to_string(symbol.name_range.start_line)).append(":");
    out.append(std::to_string(symbol.name_range.start_column + 1));
    out.append(" parent=").append(symbol.parent < 0 ? "-" : std::to_string(symbol.parent)).append("\n");
    out.append("  sig: ").append(Escape(symbol.signature)).append("\n");
    if (!symbol.doc.empty()) out.append("  doc: ").append(Escape(symbol.doc)).append("\n");
  }
  for (const Reference& ref : facts.references) {
    out.append("ref ").append(ReferenceKindName(ref.kind)).append(" ").append(ref.name);
    out.append(" at=").append(std::to_string(ref.range.start_line)).append(":");
    out.append(std::to_string(ref.range.start_column + 1));
    out.append(" in=").append(SymbolLabel(facts, ref.enclosing)).append("\n");
  }
  for (const Import& import : facts.imports) {
    out.append("import ").append(ImportKindName(import.kind)).append(" ").append(import.spec);
    out.append(" line=").append(std::to_string(import.line)).append("\n");
  }
  for (const Chunk& chunk : facts.chunks) {
    out.append("chunk lines=").append(std::to_string(chunk.start_line)).append("-");
    out.append(std::to_string(chunk.end_line));
    out.append(" bytes=").append(std::to_string(chunk.start_byte)).append("-").append(std::to_string(chunk.end_byte));
    out.append(" symbol=").append(chunk.symbol < 0 ? "-" : std::to_string(chunk.symbol));
    out.append(" scope=").append(chunk.scope_path).append("\n");
  }
  return out;
}

}  // namespace engram::repo_index
