// Chunking: regions (definitions with their doc comments, and the gaps between them) are merged
// greedily up to chunk_target_lines; a region over chunk_max_lines is cut at its nested definitions
// (recursively), else at line boundaries preferring blank lines; every chunk is finally bounded
// by chunk_max_bytes, cutting single long lines by bytes at UTF-8 boundaries.
#include "repo_index/parse/chunker.h"

#include <algorithm>

#include "repo_index/parse/text_util.h"

namespace engram::repo_index {
namespace internal {
namespace {

constexpr int kMaxChunkDepth = 32;

class Chunker {
 public:
  Chunker(std::string_view source, const std::vector<Symbol>& symbols, const std::vector<uint32_t>& head_lines,
          const ParseOptions& options)
      : source_(source), symbols_(symbols), head_lines_(head_lines) {
    target_ = std::max<uint32_t>(1, options.chunk_target_lines);
    max_lines_ = std::max<uint32_t>(target_, options.chunk_max_lines);
    max_bytes_ = std::max<uint32_t>(16, options.chunk_max_bytes);
    line_starts_.push_back(0);
    for (size_t i = 0; i < source.size(); ++i) {
      if (source[i] == '\n' && i + 1 < source.size()) line_starts_.push_back(static_cast<uint32_t>(i + 1));
    }
    children_.resize(symbols.size() + 1);
    for (size_t i = 0; i < symbols.size(); ++i) {
      int parent = symbols[i].parent;
      size_t slot = (parent >= 0 && static_cast<size_t>(parent) < symbols.size()) ? parent + 1 : 0;
      children_[slot].push_back(static_cast<int>(i));
    }
  }

  std::vector<Chunk> Run() {
    if (!source_.empty()) ChunkRange(0, LineCount() - 1, -1, 0);
    return std::move(chunks_);
  }

  // Plain text: no definitions, cut at blank lines.
  std::vector<Chunk> RunPlain() {
    if (!source_.empty()) SplitLines(0, LineCount() - 1, -1);
    return std::move(chunks_);
  }

 private:
  struct Region {
    uint32_t first;  // 0-based lines, inclusive
    uint32_t last;
    int symbol;      // the definition, or the context symbol for a gap
    bool definition;
  };

  uint32_t LineCount() const { return static_cast<uint32_t>(line_starts_.size()); }
  uint32_t LineStart(uint32_t line) const { return line_starts_[line]; }
  uint32_t LineEnd(uint32_t line) const {  // exclusive, newline included
    return line + 1 < LineCount() ? line_starts_[line + 1] : static_cast<uint32_t>(source_.size());
  }
  uint32_t Bytes(uint32_t first, uint32_t last) const { return LineEnd(last) - LineStart(first); }
  bool AllBlank(uint32_t first, uint32_t last) const {
    std::string_view text = source_.substr(LineStart(first), LineEnd(last) - LineStart(first));
    return text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
  }
  bool BlankLine(uint32_t line) const {
    std::string_view text = source_.substr(LineStart(line), LineEnd(line) - LineStart(line));
    return text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
  }

  // Chunks lines [first, last] inside the definition `context` (-1: the file).
  void ChunkRange(uint32_t first, uint32_t last, int context, int depth) {
    std::vector<Region> regions;
    uint32_t cursor = first;
    const std::vector<int>& kids = children_[context + 1];
    for (int child : kids) {
      const Symbol& symbol = symbols_[child];
      if (symbol.range.end_line == 0) continue;
      uint32_t head = std::min(head_lines_[child], symbol.range.start_line);
      uint32_t s = head == 0 ? 0 : head - 1;
      uint32_t e = symbol.range.end_line - 1;
      s = std::max(s, first);
      e = std::min(e, last);
      if (s > e || e < cursor) continue;
      if (s < cursor) {
        // Overlaps the previous region (two definitions on one line, typedef around struct): merge.
        if (!regions.empty() && regions.back().definition) {
          regions.back().last = std::max(regions.back().last, e);
          cursor = regions.back().last + 1;
          continue;
        }
        s = cursor;
      }
      if (s > cursor) regions.push_back({cursor, s - 1, context, false});
      regions.push_back({s, e, child, true});
      cursor = e + 1;
    }
    if (cursor <= last) regions.push_back({cursor, last, context, false});

    // Greedy merge of small neighbours. A chunk belongs to a definition when all its non-blank
    // regions are that definition, else to the context.
    constexpr int kNobody = -2;
    bool open = false;
    uint32_t open_first = 0, open_last = 0;
    int owner = kNobody;
    bool mixed = false;
    auto flush = [&] {
      if (open) Emit(open_first, open_last, (mixed || owner == kNobody) ? context : owner);
      open = false;
      owner = kNobody;
      mixed = false;
    };
    for (const Region& region : regions) {
      uint32_t lines = region.last - region.first + 1;
      if (lines > max_lines_) {
        flush();
        if (region.definition && depth < kMaxChunkDepth && !children_[region.symbol + 1].empty()) {
          ChunkRange(region.first, region.last, region.symbol, depth + 1);
        } else {
          SplitLines(region.first, region.last, region.symbol);
        }
        continue;
      }
      if (open && (open_last - open_first + 1) + lines > target_) flush();
      if (!open) {
        open = true;
        open_first = region.first;
      }
      open_last = region.last;
      if (!region.definition && AllBlank(region.first, region.last)) continue;
      if (owner == kNobody) {
        owner = region.symbol;
      } else if (owner != region.symbol) {
        mixed = true;
      }
    }
    flush();
  }

  // Lines [first, last] in pieces of about target_ lines, cut at a blank line when one is near.
  void SplitLines(uint32_t first, uint32_t last, int symbol) {
    uint32_t cursor = first;
    while (cursor <= last) {
      uint32_t remaining = last - cursor + 1;
      if (remaining <= target_) {
        Emit(cursor, last, symbol);
        return;
      }
      uint32_t ideal = cursor + target_ - 1;
      uint32_t low = cursor + std::max<uint32_t>(1, target_ / 2) - 1;
      uint32_t high = std::min(last, cursor + max_lines_ - 1);
      uint32_t cut = std::min(ideal, last);
      uint32_t best_distance = UINT32_MAX;
      for (uint32_t line = low; line <= high; ++line) {
        if (!BlankLine(line)) continue;
        uint32_t distance = line > ideal ? line - ideal : ideal - line;
        if (distance < best_distance) {
          best_distance = distance;
          cut = line;
        }
      }
      Emit(cursor, cut, symbol);
      cursor = cut + 1;
    }
  }

  // One chunk of whole lines, cut further by bytes when over max_bytes_.
  void Emit(uint32_t first, uint32_t last, int symbol) {
    if (Bytes(first, last) <= max_bytes_) {
      Push(first, last, LineStart(first), LineEnd(last), symbol);
      return;
    }
    uint32_t group_first = first;
    while (group_first <= last) {
      uint32_t group_last = group_first;
      if (LineEnd(group_first) - LineStart(group_first) > max_bytes_) {
        CutLine(group_first, symbol);
        group_first = group_first + 1;
        continue;
      }
      while (group_last + 1 <= last && Bytes(group_first, group_last + 1) <= max_bytes_) ++group_last;
      Push(group_first, group_last, LineStart(group_first), LineEnd(group_last), symbol);
      group_first = group_last + 1;
    }
  }

  void CutLine(uint32_t line, int symbol) {
    uint32_t begin = LineStart(line);
    uint32_t end = LineEnd(line);
    while (begin < end) {
      uint32_t take = static_cast<uint32_t>(Utf8Prefix(source_.substr(begin, end - begin), max_bytes_));
      if (take == 0) take = std::min(max_bytes_, end - begin);  // no boundary found: cut anyway
      Push(line, line, begin, begin + take, symbol);
      begin += take;
    }
  }

  void Push(uint32_t first, uint32_t last, uint32_t start_byte, uint32_t end_byte, int symbol) {
    std::string_view text = source_.substr(start_byte, end_byte - start_byte);
    if (text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) return;
    Chunk chunk;
    chunk.start_line = first + 1;
    chunk.end_line = last + 1;
    chunk.start_byte = start_byte;
    chunk.end_byte = end_byte;
    chunk.symbol = symbol;
    if (symbol >= 0) chunk.scope_path = symbols_[symbol].qualified_name;
    chunks_.push_back(std::move(chunk));
  }

  std::string_view source_;
  const std::vector<Symbol>& symbols_;
  const std::vector<uint32_t>& head_lines_;
  uint32_t target_ = 0;
  uint32_t max_lines_ = 0;
  uint32_t max_bytes_ = 0;
  std::vector<uint32_t> line_starts_;
  std::vector<std::vector<int>> children_;  // [parent + 1] → children in source order
  std::vector<Chunk> chunks_;
};

}  // namespace

std::vector<Chunk> ChunkDefinitions(std::string_view source, const std::vector<Symbol>& symbols,
                                    const std::vector<uint32_t>& head_lines, const ParseOptions& options) {
  return Chunker(source, symbols, head_lines, options).Run();
}

}  // namespace internal

std::vector<Chunk> ChunkPlainText(std::string_view source, const ParseOptions& options) {
  static const std::vector<Symbol> kNoSymbols;
  static const std::vector<uint32_t> kNoHeads;
  return internal::Chunker(source, kNoSymbols, kNoHeads, options).RunPlain();
}

}  // namespace engram::repo_index
