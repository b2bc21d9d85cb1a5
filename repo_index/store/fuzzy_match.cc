#include "repo_index/store/fuzzy_match.h"

#include <algorithm>
#include <array>
#include <limits>

namespace engram::repo_index {
namespace {

constexpr size_t kMaxName = 256;
constexpr size_t kMaxPattern = 64;

// Score terms (see the header): a matched character is worth kMatch plus its position bonus.
constexpr float kMatch = 16;
constexpr float kBonusStart = 12;      // first character of the name
constexpr float kBonusSeparator = 10;  // after '_', '.', ':', '-', '$', ...
constexpr float kBonusCamel = 9;       // fooBar: 'B'; HTTPServer: 'S'
constexpr float kBonusDigitStep = 4;   // v2: '2'; md5sum: 's'
constexpr float kConsecutive = 4;      // follows the previous matched character directly; such a
                                       // character also keeps the bonus of its run's first one
constexpr float kWholeName = 20;       // the pattern is the whole name (ignoring case)
constexpr float kExactCase = 1;
constexpr float kGapOpen = -2;         // first skipped character between two matches
constexpr float kGapExtend = -0.5f;    // each further skipped character
constexpr float kLeadPerChar = -0.5f;  // skipped before the first match, capped at kLeadMax
constexpr float kLeadMax = -6;
constexpr float kUnmatchedPerChar = -0.25f;  // every name byte the pattern did not use

inline char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
inline bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
inline bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlnum(char c) {
  return IsLower(c) || IsUpper(c) || IsDigit(c) || static_cast<unsigned char>(c) >= 0x80;
}

inline uint64_t CharBit(char c) {
  char l = Lower(c);
  if (IsLower(l)) return uint64_t{1} << (l - 'a');
  if (IsDigit(l)) return uint64_t{1} << (26 + (l - '0'));
  if (l == '_') return uint64_t{1} << 36;
  return uint64_t{1} << (37 + (static_cast<unsigned char>(l) % 27));
}

uint64_t CharMask(std::string_view s) {
  uint64_t mask = 0;
  for (char c : s) mask |= CharBit(c);
  return mask;
}

float Bonus(std::string_view name, size_t j) {
  if (j == 0) return kBonusStart;
  char prev = name[j - 1];
  char cur = name[j];
  if (!IsAlnum(prev)) return kBonusSeparator;
  if (IsLower(prev) && IsUpper(cur)) return kBonusCamel;
  if (IsUpper(prev) && IsUpper(cur) && j + 1 < name.size() && IsLower(name[j + 1])) {
    return kBonusCamel;
  }
  if ((IsDigit(prev) && !IsDigit(cur)) || (!IsDigit(prev) && IsDigit(cur))) return kBonusDigitStep;
  return 0;
}

// Is `pattern` (lowercased) a subsequence of `name` ignoring ASCII case?
bool IsSubsequence(std::string_view lower_pattern, std::string_view name) {
  size_t i = 0;
  for (size_t j = 0; j < name.size() && i < lower_pattern.size(); ++j) {
    if (Lower(name[j]) == lower_pattern[i]) ++i;
  }
  return i == lower_pattern.size();
}

// Best alignment score by dynamic programming over (pattern char i, name position j), O(m·n).
std::optional<double> ScoreLowered(std::string_view pattern, std::string_view lower_pattern,
                                   std::string_view name) {
  const size_t m = lower_pattern.size();
  const size_t n = std::min(name.size(), kMaxName);
  if (m == 0 || m > n) return std::nullopt;
  name = name.substr(0, n);
  if (!IsSubsequence(lower_pattern, name)) return std::nullopt;

  constexpr float kNone = -std::numeric_limits<float>::infinity();
  std::array<float, kMaxName> prev;        // [n] best score with pattern[i-1] matched at j
  std::array<float, kMaxName> cur;         // [n] best score with pattern[i] matched at j
  std::array<float, kMaxName> prev_carry;  // [n] bonus of the first character of that match's run
  std::array<float, kMaxName> cur_carry;   // [n]
  std::array<float, kMaxName> bonus;       // [n]
  for (size_t j = 0; j < n; ++j) bonus[j] = Bonus(name, j);

  for (size_t j = 0; j < n; ++j) {
    prev_carry[j] = bonus[j];
    if (Lower(name[j]) != lower_pattern[0]) {
      prev[j] = kNone;
      continue;
    }
    float lead = std::max(kLeadMax, kLeadPerChar * static_cast<float>(j));
    prev[j] = kMatch + bonus[j] + (name[j] == pattern[0] ? kExactCase : 0) + lead;
  }
  for (size_t i = 1; i < m; ++i) {
    // running = max over k <= j-2 of prev[k] - kGapExtend * k.
    float running = kNone;
    for (size_t j = 0; j < n; ++j) {
      if (j >= 2 && prev[j - 2] != kNone) {
        running = std::max(running, prev[j - 2] - kGapExtend * static_cast<float>(j - 2));
      }
      cur[j] = kNone;
      cur_carry[j] = bonus[j];
      if (j < i || Lower(name[j]) != lower_pattern[i]) continue;
      const float own = kMatch + (name[j] == pattern[i] ? kExactCase : 0);
      float best = kNone;
      if (running != kNone) {
        best = running + kGapOpen + kGapExtend * static_cast<float>(j - 2) + own + bonus[j];
      }
      if (prev[j - 1] != kNone) {
        float carry = std::max(bonus[j], prev_carry[j - 1]);
        float consecutive = prev[j - 1] + kConsecutive + own + carry;
        if (consecutive >= best) {
          best = consecutive;
          cur_carry[j] = carry;
        }
      }
      cur[j] = best;
    }
    std::swap(prev, cur);
    std::swap(prev_carry, cur_carry);
  }
  float best = kNone;
  for (size_t j = 0; j < n; ++j) best = std::max(best, prev[j]);
  if (best == kNone) return std::nullopt;
  if (name.size() == m) best += kWholeName;
  return static_cast<double>(best) +
         static_cast<double>(kUnmatchedPerChar) * static_cast<double>(name.size() - m);
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

}  // namespace

std::optional<double> FuzzyScore(std::string_view pattern, std::string_view name) {
  if (pattern.empty() || pattern.size() > kMaxPattern) return std::nullopt;
  std::string lower = LowerAscii(pattern);
  return ScoreLowered(pattern, lower, name);
}

void FuzzyNameList::Clear() {
  bytes_.clear();
  offsets_.assign(1, 0);
  ids_.clear();
  masks_.clear();
  start_masks_.clear();
}

void FuzzyNameList::Reserve(size_t names, size_t bytes) {
  bytes_.reserve(bytes);
  offsets_.reserve(names + 1);
  ids_.reserve(names);
  masks_.reserve(names);
  start_masks_.reserve(names);
}

void FuzzyNameList::Add(int64_t id, std::string_view name) {
  bytes_.append(name);
  offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
  ids_.push_back(id);
  std::string_view head = name.substr(0, std::min(name.size(), kMaxName));
  masks_.push_back(CharMask(head));
  uint64_t starts = 0;
  for (size_t j = 0; j < head.size(); ++j) {
    if (Bonus(head, j) > 0) starts |= CharBit(head[j]);
  }
  start_masks_.push_back(starts);
}

std::vector<FuzzyMatch> FuzzyNameList::Top(std::string_view pattern, size_t k) const {
  std::vector<FuzzyMatch> out;
  if (pattern.empty() || pattern.size() > kMaxPattern || k == 0) return out;
  const std::string lower = LowerAscii(pattern);
  const uint64_t need = CharMask(pattern);
  struct Candidate {
    float score;
    uint32_t index;
  };
  // Pass 1: every name that contains the pattern as a subsequence gets a cheap key from the greedy
  // (leftmost) alignment: matches at word starts, a match at the very start, shorter names. Pass 2
  // runs the exact O(m·n) scoring only on the best kDpCandidates of them, so a short pattern that
  // matches a large share of a million names stays fast.
  constexpr size_t kDpCandidates = 4096;
  struct Cheap {
    int32_t key;
    uint32_t index;
  };
  // As in editors' "go to symbol", the pattern's first character must match at a word start
  // (the name's start, after a separator, a camelCase hump): `hr` finds http_request, not thread.
  const uint64_t first = CharBit(pattern[0]);
  std::vector<Cheap> cheap;
  for (size_t i = 0; i < ids_.size(); ++i) {
    if ((masks_[i] & need) != need || (start_masks_[i] & first) == 0) continue;
    std::string_view name = Name(i).substr(0, kMaxName);
    if (name.size() < lower.size()) continue;
    size_t begin = 0;
    while (begin < name.size() && (Lower(name[begin]) != lower[0] || Bonus(name, begin) <= 0)) ++begin;
    size_t p = 0;
    int32_t starts = 0;
    for (size_t j = begin; j < name.size() && p < lower.size(); ++j) {
      if (Lower(name[j]) != lower[p]) continue;
      if (Bonus(name, j) > 0) ++starts;
      ++p;
    }
    if (p != lower.size()) continue;
    int32_t key = starts * 64 + (Lower(name[0]) == lower[0] ? 128 : 0) - static_cast<int32_t>(name.size());
    cheap.push_back({key, static_cast<uint32_t>(i)});
  }
  if (cheap.size() > kDpCandidates) {
    std::nth_element(cheap.begin(), cheap.begin() + kDpCandidates, cheap.end(),
                     [](const Cheap& a, const Cheap& b) { return a.key > b.key; });
    cheap.resize(kDpCandidates);
  }
  std::vector<Candidate> candidates;
  candidates.reserve(cheap.size());
  for (const Cheap& c : cheap) {
    std::optional<double> score = ScoreLowered(pattern, lower, Name(c.index));
    if (score) candidates.push_back({static_cast<float>(*score), c.index});
  }
  auto better = [&](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    std::string_view na = Name(a.index), nb = Name(b.index);
    if (na != nb) return na < nb;
    return ids_[a.index] < ids_[b.index];
  };
  size_t take = std::min(k, candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<ptrdiff_t>(take),
                    candidates.end(), better);
  out.reserve(take);
  for (size_t i = 0; i < take; ++i) {
    out.push_back({ids_[candidates[i].index], Name(candidates[i].index), candidates[i].score});
  }
  return out;
}

}  // namespace engram::repo_index
