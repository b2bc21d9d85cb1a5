#include "repo_index/query/query_terms.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace engram::repo_index {
namespace {

constexpr bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
constexpr bool IsIdentByte(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

const absl::flat_hash_set<std::string_view>& Keywords() {
  static const auto* keywords = new absl::flat_hash_set<std::string_view>{
      // C / C++
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
      "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
      "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
      "union", "unsigned", "void", "volatile", "while", "bool", "true", "false", "NULL", "nullptr",
      "class", "namespace", "template", "typename", "public", "private", "protected", "virtual",
      "override", "final", "new", "delete", "this", "operator", "using", "constexpr", "noexcept",
      "static_cast", "dynamic_cast", "reinterpret_cast", "const_cast", "throw", "try", "catch",
      "explicit", "friend", "mutable", "decltype", "std", "size_t", "uint8_t", "uint16_t",
      "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t", "define", "ifdef",
      "ifndef", "endif", "include", "pragma", "elif", "undef", "u8", "u16", "u32", "u64", "s8",
      "s16", "s32", "s64", "__u8", "__u16", "__u32", "__u64", "__le16", "__le32", "__le64",
      "__be16", "__be32", "__be64",
      // Python
      "def", "self", "None", "True", "False", "and", "or", "not", "in", "is", "lambda", "pass",
      "raise", "with", "as", "from", "import", "elif", "yield", "async", "await", "global",
      "nonlocal", "del", "assert", "except", "finally", "print", "len", "str", "dict", "list",
      "tuple", "set", "object", "cls",
      // JavaScript / TypeScript
      "function", "var", "let", "undefined", "null", "typeof", "instanceof", "export", "interface",
      "type", "extends", "implements", "readonly", "string", "number", "boolean", "any", "unknown",
      "never", "of", "constructor", "super", "module", "require", "declare", "keyof",
      // Go
      "func", "package", "go", "defer", "chan", "map", "range", "select", "fallthrough", "nil",
      "byte", "rune", "error", "make", "append", "uint", "int32", "int64", "uint32", "uint64",
      "float64", "iota",
      // Rust
      "fn", "mut", "impl", "pub", "crate", "mod", "use", "match", "loop", "where", "trait", "ref",
      "Self", "dyn", "move", "unsafe", "usize", "isize", "i32", "i64", "f32", "f64", "Some", "Ok",
      "Err", "Option", "Result", "Vec", "String", "Box",
      // Java
      "abstract", "boolean", "instanceof", "synchronized", "transient", "throws", "java",
      "Override", "Integer", "Object", "String"};
  return *keywords;
}

bool AllCaps(std::string_view word) {
  return std::none_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

struct Tally {
  uint32_t count = 0;
  bool call = false;
  bool at_cursor = false;
  bool named = false;
  size_t first = 0;  // order of first appearance, for stable ties
};

// Calls `fn(word, is_call)` for each identifier-like word of `text`.
template <typename Fn>
void ForEachWord(std::string_view text, Fn fn) {
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (!IsIdentStart(data[i]) || (i > 0 && IsIdentByte(data[i - 1]))) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < n && IsIdentByte(data[j])) ++j;
    if (j < n && data[j] >= 0x80) {  // part of a non-ASCII word: not an identifier we can look up
      i = j;
      continue;
    }
    size_t k = j;
    while (k < n && (data[k] == ' ' || data[k] == '\t')) ++k;
    fn(text.substr(i, j - i), k < n && data[k] == '(');
    i = j;
  }
}

}  // namespace

bool IsCommonKeyword(std::string_view word) { return Keywords().contains(word); }

std::vector<QueryTerm> ExtractQueryTerms(std::string_view text, std::string_view cursor_text,
                                         const std::vector<std::string>& named, size_t limit) {
  absl::flat_hash_map<std::string, Tally> tally;
  size_t order = 0;
  auto add = [&](std::string_view word, bool call, bool at_cursor, bool is_named) {
    if (word.size() < 2 || IsCommonKeyword(word)) return;
    auto [it, inserted] = tally.try_emplace(std::string(word));
    Tally& t = it->second;
    if (inserted) t.first = order++;
    if (!is_named) ++t.count;
    t.call |= call;
    t.at_cursor |= at_cursor;
    t.named |= is_named;
  };
  for (const std::string& word : named) add(word, false, false, true);
  ForEachWord(text, [&](std::string_view w, bool call) { add(w, call, false, false); });
  ForEachWord(cursor_text, [&](std::string_view w, bool call) { add(w, call, true, false); });

  std::vector<std::pair<size_t, QueryTerm>> terms;
  terms.reserve(tally.size());
  for (auto& [word, t] : tally) {
    QueryTerm term;
    term.word = word;
    term.count = t.count;
    term.call = t.call;
    term.at_cursor = t.at_cursor;
    term.named = t.named;
    double w = 1.0 + std::log(std::max<uint32_t>(t.count, 1));
    if (t.at_cursor) w *= 3;
    if (t.named) w *= 8;
    if (t.call) w *= 1.5;
    if (word.size() == 2) w *= 0.5;
    if (word.size() < 4 && AllCaps(word)) w *= 0.7;
    term.weight = w;
    terms.emplace_back(t.first, std::move(term));
  }
  std::sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) {
    if (a.second.weight != b.second.weight) return a.second.weight > b.second.weight;
    return a.second.word < b.second.word;
  });
  std::vector<QueryTerm> out;
  for (auto& [first, term] : terms) {
    if (out.size() >= limit) break;
    out.push_back(std::move(term));
  }
  return out;
}

}  // namespace engram::repo_index
