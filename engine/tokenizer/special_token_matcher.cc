#include "engine/tokenizer/special_token_matcher.h"

#include <algorithm>

namespace engram::engine::tokenizer {

int32_t SpecialTokenMatcher::Child(int32_t node, uint8_t byte) const {
  const auto& children = nodes_[node].children;
  auto it =
      std::lower_bound(children.begin(), children.end(), byte,
                       [](const std::pair<uint8_t, int32_t>& c, uint8_t b) { return c.first < b; });
  return (it != children.end() && it->first == byte) ? it->second : -1;
}

void SpecialTokenMatcher::Add(std::string_view text, TokenId id, bool always) {
  if (text.empty()) return;
  int32_t node = 0;
  for (char c : text) {
    const auto byte = static_cast<uint8_t>(c);
    int32_t child = Child(node, byte);
    if (child < 0) {
      child = static_cast<int32_t>(nodes_.size());
      nodes_.emplace_back();
      auto& children = nodes_[node].children;
      auto it = std::lower_bound(
          children.begin(), children.end(), byte,
          [](const std::pair<uint8_t, int32_t>& ch, uint8_t b) { return ch.first < b; });
      children.insert(it, {byte, child});
    }
    node = child;
  }
  if (nodes_[node].id != kNoToken) return;
  nodes_[node].id = id;
  nodes_[node].always = always;
  const auto first = static_cast<uint8_t>(text[0]);
  first_any_.set(first);
  if (always) first_always_.set(first);
}

std::optional<SpecialTokenMatcher::Match> SpecialTokenMatcher::FindNext(std::string_view text,
                                                                        size_t from,
                                                                        bool parse_special) const {
  const std::bitset<256>& first = parse_special ? first_any_ : first_always_;
  if (first.none()) return std::nullopt;
  for (size_t pos = from; pos < text.size(); ++pos) {
    if (!first.test(static_cast<uint8_t>(text[pos]))) continue;
    Match best;
    int32_t node = 0;
    for (size_t i = pos; i < text.size(); ++i) {
      node = Child(node, static_cast<uint8_t>(text[i]));
      if (node < 0) break;
      const Node& n = nodes_[node];
      if (n.id != kNoToken && (parse_special || n.always)) best = {pos, i + 1 - pos, n.id};
    }
    if (best.id != kNoToken) return best;
  }
  return std::nullopt;
}

}  // namespace engram::engine::tokenizer
