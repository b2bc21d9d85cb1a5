// A tiny hand-made byte-level BPE vocabulary for unit tests: the 256 byte tokens, a few merges
// and some special tokens, built in code (no files).
#pragma once

#include <string>
#include <vector>

#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/vocab.h"

namespace engram::engine::tokenizer::testing {

// Token ids: 0..255 are the bytes in byte order; then one id per merge result, in merge order;
// then the specials.
inline Vocab MakeTinyVocab(std::string pre = "deepseek-v3") {
  Vocab v;
  v.pre = std::move(pre);
  for (int b = 0; b < 256; ++b) v.tokens.push_back(ByteLevelEncode(std::string(1, char(b))));
  v.types.assign(256, TokenType::kNormal);
  const std::vector<std::pair<std::string, std::string>> merges = {
      {"h", "e"},   {"l", "l"}, {"he", "ll"},   {"hell", "o"}, {"Ġ", "w"},   {"o", "r"},
      {"Ġw", "or"}, {"l", "d"}, {"Ġwor", "ld"}, {"a", "a"},    {"aa", "aa"}, {"Ġ", "Ġ"},
  };
  for (const auto& [l, r] : merges) {
    v.merges.push_back(l + " " + r);
    v.tokens.push_back(l + r);
    v.types.push_back(TokenType::kNormal);
  }
  auto add = [&](std::string text, TokenType t) {
    v.tokens.push_back(std::move(text));
    v.types.push_back(t);
    return static_cast<TokenId>(v.tokens.size() - 1);
  };
  v.bos_id = add("<｜begin▁of▁sentence｜>", TokenType::kControl);
  v.eos_id = add("<｜end▁of▁sentence｜>", TokenType::kControl);
  add("<｜User｜>", TokenType::kControl);
  add("<｜Assistant｜>", TokenType::kControl);
  add("<｜fim▁begin｜>", TokenType::kControl);
  add("<｜fim▁hole｜>", TokenType::kControl);
  add("<｜fim▁end｜>", TokenType::kControl);
  add("<added>", TokenType::kUserDefined);
  add("<added-longer>", TokenType::kUserDefined);
  add("<0x41>", TokenType::kByte);
  add("[unused]", TokenType::kUnused);
  v.add_bos = true;
  return v;
}

}  // namespace engram::engine::tokenizer::testing
