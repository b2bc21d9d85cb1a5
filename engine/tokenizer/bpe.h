// The byte-level BPE tokenizer of DeepSeek models: text -> token ids -> bytes.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tok, Tokenizer::FromGguf(*gguf_file));
//   std::vector<TokenId> ids = tok->Encode("int main() {}", {.add_bos = true});
//   ASSIGN_OR_RETURN(std::string text, tok->Decode(ids));     // "int main() {}" (BOS renders as
//   "")
//
// Encode, in order: (1) special-token texts are cut out of the input as single tokens
// (user-defined tokens always, control tokens only with parse_special; leftmost, then longest);
// (2) each remaining stretch is split by the pre-tokenizer named in the vocabulary; (3) each
// piece's bytes are spelled in the byte-level alphabet and merged by BPE, the pair of lowest merge
// rank first (leftmost among equals), with a priority queue: O(n log n) per piece.
// Invalid UTF-8 in the input is kept byte for byte (each invalid sequence is a piece of its own),
// so Decode(Encode(bytes)) == bytes for any bytes.
// Decode maps each id to its bytes: normal tokens through the byte-level alphabet, user-defined
// tokens as their text, BYTE tokens "<0xAB>" as the byte; control/unknown tokens render as their
// text only with render_special (otherwise nothing), unused tokens as nothing.
//
// Thread-safety: a Tokenizer is immutable after Create(); Encode/Decode/TokenToPiece are safe to
// call from many threads on one instance (each call has its own scratch space).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/special_token_matcher.h"
#include "engine/tokenizer/vocab.h"

namespace engram::engine::tokenizer {

struct EncodeOptions {
  bool add_bos = false;        // prepend the BOS id (if the vocabulary has one)
  bool add_eos = false;        // append the EOS id (if the vocabulary has one)
  bool parse_special = false;  // also turn control-token texts ("<｜User｜>") into their ids
};

struct DecodeOptions {
  bool render_special = false;  // control/unknown tokens render as their text
};

class Tokenizer {
 private:
  // Lets text_to_id_ be searched with a std::string_view.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct TextEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

 public:
  // Validates `vocab` and builds the lookup tables. Errors (INVALID_ARGUMENT) name the object:
  // "tokenizer: merge 17 'a b' names unknown token 'b'", "tokenizer: vocabulary has no token for
  // byte 0x0a ('Ċ')", "tokenizer: unknown pre-tokenizer 'x' (tokenizer.ggml.pre); known: ...".
  static absl::StatusOr<std::unique_ptr<Tokenizer>> Create(Vocab vocab);
  // LoadVocabFromGguf() + Create().
  static absl::StatusOr<std::unique_ptr<Tokenizer>> FromGguf(const gguf::File& file);

  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  std::vector<TokenId> Encode(std::string_view text, const EncodeOptions& options = {}) const;
  void EncodeAppend(std::string_view text, const EncodeOptions& options,
                    std::vector<TokenId>* out) const;
  // Encode options from the vocabulary's add_bos_token / add_eos_token flags.
  EncodeOptions DefaultEncodeOptions() const;

  // Concatenated TokenToPiece() of `ids`; the bytes may be invalid UTF-8 (a token can hold part
  // of a character). INVALID_ARGUMENT names the first id out of range.
  absl::StatusOr<std::string> Decode(std::span<const TokenId> ids,
                                     const DecodeOptions& options = {}) const;
  // The bytes `id` stands for; empty for ids out of range and for tokens that render as nothing.
  std::string_view TokenToPiece(TokenId id, bool render_special = false) const;

  // The id whose text is exactly `text` (as stored in the vocabulary), or kNoToken.
  TokenId FindToken(std::string_view text) const;

  const Vocab& vocab() const { return vocab_; }
  int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  TokenType type(TokenId id) const;
  TokenId bos_id() const { return vocab_.bos_id; }
  TokenId eos_id() const { return vocab_.eos_id; }
  // EOS or EOT: generation stops here.
  bool IsEndOfGeneration(TokenId id) const;
  const PreTokenizer& pre_tokenizer() const { return pre_; }

 private:
  struct MergeRule {
    int32_t rank = 0;
    TokenId result = kNoToken;
  };
  struct Workspace;

  Tokenizer(Vocab vocab, PreTokenizer pre);
  absl::Status Build();
  void EncodeText(std::string_view text, Workspace* ws, std::vector<TokenId>* out) const;
  void EncodePiece(std::string_view bytes, Workspace* ws, std::vector<TokenId>* out) const;
  const MergeRule* FindMerge(TokenId left, TokenId right) const;

  Vocab vocab_;
  PreTokenizer pre_;
  absl::flat_hash_map<std::string, TokenId, TextHash, TextEq> text_to_id_;
  std::array<TokenId, 256> byte_ids_{};
  absl::flat_hash_map<uint64_t, MergeRule> merges_;  // key: left << 32 | right
  std::vector<std::string> pieces_;                  // [n_vocab] bytes each token stands for
  std::vector<uint8_t> render_;                      // [n_vocab] kAlways / kIfSpecial / kNever
  SpecialTokenMatcher special_;
};

}  // namespace engram::engine::tokenizer
