// The vocabulary of a byte-level BPE model, as read from GGUF metadata (tokenizer.ggml.*).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<gguf::File> f, gguf::File::Open("model.gguf"));
//   ASSIGN_OR_RETURN(Vocab vocab, LoadVocabFromGguf(*f));
//   ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tok, Tokenizer::Create(std::move(vocab)));
//
// A Vocab is plain data: tests build one by hand, LoadVocabFromGguf() fills one from a file. It is
// checked only for the shape of the metadata here (types, array lengths, ids in range); the
// semantic checks (merges name known tokens, every byte has a token, the pre-tokenizer is known)
// happen in Tokenizer::Create(). Format notes: docs/formats/tokenizer.md.
//
// Thread-safety: a Vocab is a value; const access from many threads is safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace engram::engine::gguf {
class File;
}  // namespace engram::engine::gguf

namespace engram::engine::tokenizer {

using TokenId = int32_t;
inline constexpr TokenId kNoToken = -1;

// tokenizer.ggml.token_type values (llama.cpp's numbering, as written by its converters).
enum class TokenType : uint8_t {
  kUndefined = 0,
  kNormal = 1,       // text in the byte-level alphabet; produced by BPE
  kUnknown = 2,      // like control
  kControl = 3,      // BOS/EOS/FIM markers...: matched in text only when parsing specials
  kUserDefined = 4,  // added tokens: raw text, always matched in text before pre-tokenization
  kUnused = 5,       // never produced; decodes to nothing
  kByte = 6,         // "<0xAB>": one raw byte
};

struct Vocab {
  std::string model = "gpt2";       // tokenizer.ggml.model
  std::string pre;                  // tokenizer.ggml.pre: names the pre-tokenizer
  std::vector<std::string> tokens;  // [n_vocab] token text, as stored
  std::vector<TokenType> types;     // [n_vocab]; empty means all kNormal
  std::vector<std::string> merges;  // "left right", highest priority first (rank = index)
  TokenId bos_id = kNoToken;
  TokenId eos_id = kNoToken;
  TokenId eot_id = kNoToken;
  TokenId pad_id = kNoToken;
  TokenId unk_id = kNoToken;
  bool add_bos = false;       // tokenizer.ggml.add_bos_token
  bool add_eos = false;       // tokenizer.ggml.add_eos_token
  std::string chat_template;  // tokenizer.chat_template (Jinja source; informational)
};

std::string_view TokenTypeName(TokenType t);

// Reads tokenizer.ggml.* from `file`. Errors name the file and key, e.g.
// "tokenizer: m.gguf: tokenizer.ggml.token_type has 10 entries but tokenizer.ggml.tokens has 12".
// Requires tokenizer.ggml.model == "gpt2", tokenizer.ggml.pre, tokens and merges; the token types,
// special ids and add_* flags are optional.
absl::StatusOr<Vocab> LoadVocabFromGguf(const gguf::File& file);

}  // namespace engram::engine::tokenizer
