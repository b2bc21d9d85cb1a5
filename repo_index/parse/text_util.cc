#include "repo_index/parse/text_util.h"

#include <algorithm>
#include <vector>

namespace engram::repo_index::internal {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view TrimView(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size() && IsSpace(text[begin])) ++begin;
  size_t end = text.size();
  while (end > begin && IsSpace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 when invalid.
size_t SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return lead == 0 ? 0 : 1;
  size_t length = 0;
  uint32_t min = 0;
  uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string JoinTrimmed(const std::vector<std::string>& lines) {
  size_t first = 0;
  while (first < lines.size() && lines[first].empty()) ++first;
  size_t last = lines.size();
  while (last > first && lines[last - 1].empty()) --last;
  std::string out;
  for (size_t i = first; i < last; ++i) {
    if (i > first) out.push_back('\n');
    out.append(lines[i]);
  }
  return out;
}

}  // namespace

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t length = SequenceLength(text, i);
    if (length == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

size_t Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  size_t n = max_bytes;
  // Back off over continuation bytes (at most 3) so the cut falls before a lead byte.
  for (int k = 0; k < 3 && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80; ++k) --n;
  return n;
}

std::string StripCommentMarkers(std::string_view comment) {
  std::string_view body = TrimView(comment);
  bool block = false;
  if (body.starts_with("/*")) {
    block = true;
    body.remove_prefix(2);
    while (!body.empty() && (body.front() == '*' || body.front() == '!')) body.remove_prefix(1);
    if (body.ends_with("*/")) body.remove_suffix(2);
    while (!body.empty() && body.back() == '*') body.remove_suffix(1);
  }
  std::vector<std::string> lines;
  for (std::string_view line : SplitLines(body)) {
    line = TrimView(line);
    if (block) {
      if (line.starts_with("*")) line.remove_prefix(1);
    } else if (line.starts_with("//")) {
      line.remove_prefix(2);
      while (!line.empty() && (line.front() == '/' || line.front() == '!')) line.remove_prefix(1);
    } else if (line.starts_with("#")) {
      while (!line.empty() && line.front() == '#') line.remove_prefix(1);
    }
    lines.emplace_back(TrimView(line));
  }
  return JoinTrimmed(lines);
}

std::string CleanDocstring(std::string_view literal) {
  std::string_view body = TrimView(literal);
  while (!body.empty() && std::string_view("rRuUbBfF").find(body.front()) != std::string_view::npos) {
    body.remove_prefix(1);
  }
  for (std::string_view quote : {std::string_view("\"\"\""), std::string_view("'''"),
                                 std::string_view("\""), std::string_view("'")}) {
    if (body.size() >= 2 * quote.size() && body.starts_with(quote) && body.ends_with(quote)) {
      body = body.substr(quote.size(), body.size() - 2 * quote.size());
      break;
    }
  }
  std::vector<std::string_view> raw = SplitLines(body);
  // Common indentation of the lines after the first (PEP 257).
  size_t indent = std::string_view::npos;
  for (size_t i = 1; i < raw.size(); ++i) {
    std::string_view line = raw[i];
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    indent = std::min(indent, first);
  }
  std::vector<std::string> lines;
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string_view line = raw[i];
    if (i == 0) {
      line = TrimView(line);
    } else if (indent != std::string_view::npos && line.size() >= indent) {
      line.remove_prefix(indent);
    }
    while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
    lines.emplace_back(line);
  }
  return JoinTrimmed(lines);
}

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : TrimView(text)) {
    if (IsSpace(c)) {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace engram::repo_index::internal
