#include "repo_index/parse/define_table.h"

#include <vector>

namespace engram::repo_index {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdent(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}
std::string_view Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

struct Line {
  uint32_t start = 0;  // byte offset
  uint32_t end = 0;    // exclusive, without the '\n'
};

}  // namespace

std::optional<FileFacts> ParseDefineTable(Language language, std::string_view source,
                                          const ParseOptions& options) {
  if ((language != Language::kC && language != Language::kCpp) || source.size() < kDefineTableMinBytes ||
      source.size() > options.max_bytes) {
    return std::nullopt;
  }
  std::vector<Line> lines;
  lines.reserve(source.size() / 40);
  for (size_t pos = 0; pos < source.size();) {
    size_t nl = source.find('\n', pos);
    if (nl == std::string_view::npos) nl = source.size();
    lines.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(nl)});
    pos = nl + 1;
  }
  // Pass 1: is every line blank, a comment or a directive?
  bool in_block_comment = false;
  bool continuation = false;
  for (const Line& line : lines) {
    std::string_view text = source.substr(line.start, line.end - line.start);
    std::string_view trimmed = Trim(text);
    if (continuation) {
      continuation = !trimmed.empty() && trimmed.back() == '\\';
      continue;
    }
    if (in_block_comment) {
      size_t close = trimmed.find("*/");
      if (close == std::string_view::npos) continue;
      in_block_comment = false;
      trimmed = Trim(trimmed.substr(close + 2));
      if (trimmed.empty()) continue;
    }
    if (trimmed.empty() || trimmed.substr(0, 2) == "//") continue;
    if (trimmed.substr(0, 2) == "/*") {
      size_t close = trimmed.find("*/", 2);
      if (close == std::string_view::npos) {
        in_block_comment = true;
        continue;
      }
      if (Trim(trimmed.substr(close + 2)).empty()) continue;
      return std::nullopt;  // code after a one-line comment
    }
    if (trimmed.front() != '#') return std::nullopt;
    continuation = trimmed.back() == '\\';
  }

  // Pass 2: macros and includes.
  FileFacts facts;
  in_block_comment = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view text = source.substr(lines[i].start, lines[i].end - lines[i].start);
    std::string_view trimmed = TrimLeft(text);
    if (in_block_comment) {
      size_t close = trimmed.find("*/");
      if (close != std::string_view::npos) in_block_comment = false;
      continue;
    }
    if (trimmed.substr(0, 2) == "/*" && trimmed.find("*/", 2) == std::string_view::npos) {
      in_block_comment = true;
      continue;
    }
    if (trimmed.empty() || trimmed.front() != '#') continue;
    size_t last = i;
    while (last + 1 < lines.size()) {
      std::string_view t = Trim(source.substr(lines[last].start, lines[last].end - lines[last].start));
      if (t.empty() || t.back() != '\\') break;
      ++last;
    }
    std::string_view directive = TrimLeft(trimmed.substr(1));
    const uint32_t line_start = static_cast<uint32_t>(text.data() - source.data());
    if (directive.substr(0, 6) == "define" && directive.size() > 6 && IsSpace(directive[6])) {
      std::string_view rest = TrimLeft(directive.substr(6));
      size_t n = 0;
      while (n < rest.size() && (n == 0 ? IsIdentStart(rest[n]) : IsIdent(rest[n]))) ++n;
      if (n > 0) {
        Symbol symbol;
        symbol.name = std::string(rest.substr(0, n));
        symbol.kind = SymbolKind::kMacro;
        symbol.qualified_name = symbol.name;
        std::string_view signature = Trim(text);
        symbol.signature = std::string(signature.substr(0, 200));
        const uint32_t name_byte = static_cast<uint32_t>(rest.data() - source.data());
        symbol.range = {static_cast<uint32_t>(i + 1), 0, static_cast<uint32_t>(last + 1),
                        lines[last].end - lines[last].start, line_start, lines[last].end};
        symbol.name_range = {static_cast<uint32_t>(i + 1), name_byte - line_start, static_cast<uint32_t>(i + 1),
                             name_byte - line_start + static_cast<uint32_t>(n), name_byte,
                             name_byte + static_cast<uint32_t>(n)};
        facts.symbols.push_back(std::move(symbol));
      }
    } else if (directive.substr(0, 7) == "include") {
      std::string_view rest = Trim(directive.substr(7));
      if (rest.size() >= 2 && (rest.front() == '"' || rest.front() == '<')) {
        char close = rest.front() == '"' ? '"' : '>';
        size_t end = rest.find(close, 1);
        if (end != std::string_view::npos && end > 1) {
          Import import;
          import.spec = std::string(rest.substr(1, end - 1));
          import.kind = close == '"' ? ImportKind::kIncludeLocal : ImportKind::kIncludeSystem;
          import.line = static_cast<uint32_t>(i + 1);
          facts.imports.push_back(std::move(import));
        }
      }
    }
    i = last;
  }
  facts.chunks = ChunkPlainText(source, options);
  return facts;
}

}  // namespace engram::repo_index
