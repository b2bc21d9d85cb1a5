// Finds the texts of special tokens (control, user-defined, unknown) inside raw text, so that they
// become single tokens instead of going through pre-tokenization and BPE.
//
//   SpecialTokenMatcher m;
//   m.Add("<｜fim▁hole｜>", 32015, /*always=*/true);
//   std::optional<SpecialTokenMatcher::Match> hit = m.FindNext(text, 0, /*parse_special=*/false);
//
// Contract: FindNext() returns the leftmost occurrence at or after `from`; among texts starting
// there, the longest. Texts added with always = true (user-defined tokens) are found whatever
// `parse_special` says; the others only when it is true. Adding a text twice keeps the first id.
//
// Thread-safety: Add() is for construction; after it, FindNext() is safe from many threads.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/tokenizer/vocab.h"

namespace engram::engine::tokenizer {

class SpecialTokenMatcher {
 public:
  struct Match {
    size_t offset = 0;
    size_t length = 0;
    TokenId id = kNoToken;
  };

  // Ignores empty texts.
  void Add(std::string_view text, TokenId id, bool always);

  std::optional<Match> FindNext(std::string_view text, size_t from, bool parse_special) const;

  bool empty() const { return nodes_.size() <= 1; }

 private:
  struct Node {
    std::vector<std::pair<uint8_t, int32_t>> children;  // sorted by byte
    TokenId id = kNoToken;
    bool always = false;
  };
  int32_t Child(int32_t node, uint8_t byte) const;

  std::vector<Node> nodes_ = std::vector<Node>(1);  // nodes_[0] is the root
  std::bitset<256> first_any_;                      // first bytes of every text
  std::bitset<256> first_always_;                   // first bytes of always-matched texts
};

}  // namespace engram::engine::tokenizer
