// Turns generated token ids into text one token at a time, emitting only complete UTF-8
// characters: a token that ends inside a multi-byte character holds those bytes back until a later
// token completes it.
//
//   StreamDecoder dec(*tok);
//   for (TokenId id : generated) send(dec.Push(id));   // each chunk is valid UTF-8
//   send(dec.Finish());
//
// Contract: the concatenation of every Push() result and Finish() equals
// SanitizeUtf8(tok.Decode(ids)): identical when the decoded bytes are valid UTF-8; otherwise each
// invalid sequence (and a character still incomplete at Finish()) becomes one U+FFFD. At most 3
// bytes are ever held back. Out-of-range ids decode to nothing.
//
// Thread-safety: one StreamDecoder per stream (it has state); the Tokenizer it reads is shared.
#pragma once

#include <string>

#include "engine/tokenizer/bpe.h"

namespace engram::engine::tokenizer {

class StreamDecoder {
 public:
  // `tokenizer` must outlive the decoder.
  explicit StreamDecoder(const Tokenizer& tokenizer, DecodeOptions options = {});

  // The text that token `id` completes (possibly empty).
  std::string Push(TokenId id);
  // The held-back bytes of an unfinished character, as U+FFFD (empty if none); resets the state.
  std::string Finish();
  // Drops held-back bytes.
  void Reset() { pending_.clear(); }

  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  DecodeOptions options_;
  std::string pending_;  // bytes of an incomplete character (< 4)
};

}  // namespace engram::engine::tokenizer
