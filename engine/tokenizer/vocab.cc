#include "engine/tokenizer/vocab.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/gguf/gguf_file.h"
#include "support/status.h"

namespace engram::engine::tokenizer {
namespace {

constexpr char kModel[] = "tokenizer.ggml.model";
constexpr char kPre[] = "tokenizer.ggml.pre";
constexpr char kTokens[] = "tokenizer.ggml.tokens";
constexpr char kTokenType[] = "tokenizer.ggml.token_type";
constexpr char kMerges[] = "tokenizer.ggml.merges";
constexpr char kAddBos[] = "tokenizer.ggml.add_bos_token";
constexpr char kAddEos[] = "tokenizer.ggml.add_eos_token";
constexpr char kChatTemplate[] = "tokenizer.chat_template";

// An error of ours about `file` ("tokenizer: m.gguf: ...").
absl::Status Invalid(const gguf::File& file, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("tokenizer: ", file.name(), ": ", std::string(message)));
}

// The gguf reader's errors already name the file and key.
template <typename T>
absl::StatusOr<T> Checked(absl::StatusOr<T> value) {
  if (!value.ok()) return Annotate(value.status(), "tokenizer");
  return value;
}

// Reads an optional special-token id; absent keys leave `*id` unchanged.
absl::Status ReadSpecialId(const gguf::File& file, std::string_view key, size_t n_vocab,
                           TokenId* id) {
  if (!file.Has(key)) return absl::OkStatus();
  ASSIGN_OR_RETURN(int64_t value, Checked(file.GetInt64(key)));
  if (value < 0 || static_cast<uint64_t>(value) >= n_vocab) {
    return Invalid(file, absl::StrCat(std::string(key), " ", value,
                                      " is out of range (vocabulary of ", n_vocab, " tokens)"));
  }
  *id = static_cast<TokenId>(value);
  return absl::OkStatus();
}

absl::Status ReadOptionalBool(const gguf::File& file, std::string_view key, bool* value) {
  if (!file.Has(key)) return absl::OkStatus();
  ASSIGN_OR_RETURN(*value, Checked(file.GetBool(key)));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Vocab> LoadVocabFromGguf(const gguf::File& file) {
  Vocab vocab;
  ASSIGN_OR_RETURN(vocab.model, Checked(file.GetString(kModel)));
  if (vocab.model != "gpt2") {
    return Invalid(file, absl::StrCat(kModel, " is '", vocab.model,
                                      "'; only byte-level BPE ('gpt2') is supported"));
  }
  ASSIGN_OR_RETURN(vocab.pre, Checked(file.GetString(kPre)));
  ASSIGN_OR_RETURN(vocab.tokens, Checked(file.GetStringArray(kTokens)));
  const size_t n_vocab = vocab.tokens.size();
  if (n_vocab == 0) return Invalid(file, absl::StrCat(kTokens, " is empty"));
  if (n_vocab > static_cast<size_t>(INT32_MAX)) {
    return Invalid(file, absl::StrCat(kTokens, " has too many entries (", n_vocab, ")"));
  }

  if (file.Has(kTokenType)) {
    ASSIGN_OR_RETURN(std::vector<int64_t> types, Checked(file.GetIntArray(kTokenType)));
    if (types.size() != n_vocab) {
      return Invalid(file, absl::StrCat(kTokenType, " has ", types.size(), " entries but ", kTokens,
                                        " has ", n_vocab));
    }
    vocab.types.reserve(n_vocab);
    for (size_t i = 0; i < n_vocab; ++i) {
      if (types[i] < 0 || types[i] > static_cast<int64_t>(TokenType::kByte)) {
        return Invalid(file,
                       absl::StrCat(kTokenType, "[", i, "] is ", types[i], ", not a token type"));
      }
      vocab.types.push_back(static_cast<TokenType>(types[i]));
    }
  }

  ASSIGN_OR_RETURN(vocab.merges, Checked(file.GetStringArray(kMerges)));

  RETURN_IF_ERROR(ReadSpecialId(file, "tokenizer.ggml.bos_token_id", n_vocab, &vocab.bos_id));
  RETURN_IF_ERROR(ReadSpecialId(file, "tokenizer.ggml.eos_token_id", n_vocab, &vocab.eos_id));
  RETURN_IF_ERROR(ReadSpecialId(file, "tokenizer.ggml.eot_token_id", n_vocab, &vocab.eot_id));
  RETURN_IF_ERROR(ReadSpecialId(file, "tokenizer.ggml.padding_token_id", n_vocab, &vocab.pad_id));
  RETURN_IF_ERROR(ReadSpecialId(file, "tokenizer.ggml.unknown_token_id", n_vocab, &vocab.unk_id));
  RETURN_IF_ERROR(ReadOptionalBool(file, kAddBos, &vocab.add_bos));
  RETURN_IF_ERROR(ReadOptionalBool(file, kAddEos, &vocab.add_eos));
  if (file.Has(kChatTemplate)) {
    ASSIGN_OR_RETURN(vocab.chat_template, Checked(file.GetString(kChatTemplate)));
  }
  return vocab;
}

std::string_view TokenTypeName(TokenType t) {
  switch (t) {
    case TokenType::kUndefined:
      return "undefined";
    case TokenType::kNormal:
      return "normal";
    case TokenType::kUnknown:
      return "unknown";
    case TokenType::kControl:
      return "control";
    case TokenType::kUserDefined:
      return "user-defined";
    case TokenType::kUnused:
      return "unused";
    case TokenType::kByte:
      return "byte";
  }
  return "invalid";
}

}  // namespace engram::engine::tokenizer
