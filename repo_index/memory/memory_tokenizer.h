// The tokenizer the project memory sees: token ids for n-grams, byte spans to map tokens back to
// text, and token counts for budgets. repo_index does not depend on the engine (ARCHITECTURE.md),
// so it declares this interface; the daemon adapts the loaded model's tokenizer to it, and
// LexicalTokenizer stands in when no model is loaded.
//
//   LexicalTokenizer lex;
//   std::vector<MemoryToken> tokens;
//   lex.Tokenize("foo_bar(x, 42)", &tokens);   // foo_bar x 42, with their byte ranges
//   size_t budget_cost = lex.CountTokens(text);
//
// Thread-safety: implementations are immutable after construction; all methods may run
// concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engram::repo_index {

struct MemoryToken {
  uint32_t id = 0;
  uint32_t begin = 0;  // byte range [begin, end) of the token in the tokenized text
  uint32_t end = 0;
  bool operator==(const MemoryToken&) const = default;
};

class MemoryTokenizer {
 public:
  virtual ~MemoryTokenizer() = default;
  // Names the tokenizer and its vocabulary ("lexical-1", "model:<name>:<vocabulary hash>"). Stored
  // n-gram memory built under another id is discarded and rebuilt.
  virtual std::string Id() const = 0;
  // Replaces *out with the tokens of `text`, in order, with non-overlapping ascending byte ranges.
  virtual void Tokenize(std::string_view text, std::vector<MemoryToken>* out) const = 0;
  // How many tokens `text` costs in a prompt (the model's count, or an estimate of it).
  virtual size_t CountTokens(std::string_view text) const = 0;
};

// The code-aware lexical tokenizer used when no model is loaded. A token is a maximal run of word
// bytes: [A-Za-z0-9_$] and every byte >= 0x80 (UTF-8 letters; invalid bytes are kept, never fail).
// Punctuation and spaces are not tokens: n-grams of words are what identifies code
// ("struct device dev", "kfree skb"). Ids are a 32-bit hash of the bytes (stable across runs and
// machines; distinct words colliding on 32 bits are treated as one token). CountTokens estimates a
// BPE model's count: one token per word run of up to 8 bytes and one more per further 6 bytes, plus
// one per punctuation byte, plus one per line break.
class LexicalTokenizer final : public MemoryTokenizer {
 public:
  std::string Id() const override { return "lexical-1"; }
  void Tokenize(std::string_view text, std::vector<MemoryToken>* out) const override;
  size_t CountTokens(std::string_view text) const override;
  static uint32_t HashWord(std::string_view word);
};

}  // namespace engram::repo_index
