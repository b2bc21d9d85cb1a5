// Fuzzy (subsequence) matching of identifier names, as editors rank "go to symbol" results.
//
//   FuzzyNameList names;
//   names.Add(17, "parse_http_request");
//   for (const FuzzyMatch& m : names.Top("phr", 20)) ...   // best first
//
// A pattern matches a name when its characters appear in order in the name, ignoring ASCII case;
// in Top() its first character must also match at a word start of the name.
// The score rewards matches at word starts (name start, after '_' or another separator, a camelCase
// hump, a letter↔digit step), runs of consecutive characters and exact-case characters; it
// penalises gaps between matched characters and unmatched length, so among equal matches shorter
// names come first. Scores are comparable only for the same pattern. Top() scores exactly only the
// 4096 best candidates by a cheap key (greedy alignment: matches at word starts, a match at the name's
// start, shorter names), so a short pattern matching most of a million names stays within a few
// milliseconds; ranking below that cut can differ from the exact score. Names longer than 256 bytes
// match only through their first 256 bytes.
//
// Thread-safety: a built FuzzyNameList may be searched from several threads; Add/Clear are writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engram::repo_index {

// The score of `name` for `pattern`; nullopt when it does not match (an empty pattern matches
// nothing).
std::optional<double> FuzzyScore(std::string_view pattern, std::string_view name);

struct FuzzyMatch {
  int64_t id = 0;
  std::string_view name;  // points into the FuzzyNameList
  double score = 0;
};

class FuzzyNameList {
 public:
  void Clear();
  void Reserve(size_t names, size_t bytes);
  void Add(int64_t id, std::string_view name);
  size_t size() const { return ids_.size(); }

  // The `k` best matches, best first; ties break by name (bytewise), then id.
  std::vector<FuzzyMatch> Top(std::string_view pattern, size_t k) const;

 private:
  std::string_view Name(size_t i) const {
    return std::string_view(bytes_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  std::string bytes_;                 // all names, concatenated
  std::vector<uint32_t> offsets_{0};  // [size() + 1] name i is bytes_[offsets_[i], offsets_[i+1])
  std::vector<int64_t> ids_;          // [size()]
  std::vector<uint64_t> masks_;       // [size()] characters present (see CharMask in the .cc)
  std::vector<uint64_t> start_masks_; // [size()] characters present at word starts
};

}  // namespace engram::repo_index
