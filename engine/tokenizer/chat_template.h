// Prompt builders for DeepSeek models: the V2/V3-style chat template and DeepSeek-Coder's
// fill-in-the-middle (FIM) prompt, producing token ids directly.
//
//   ASSIGN_OR_RETURN(ChatTemplate chat, ChatTemplate::Create(*tok));
//   ASSIGN_OR_RETURN(std::vector<TokenId> ids,
//                    chat.Encode({{"user", "Hi"}}, {.system_prompt = "Be brief."}));
//   // <｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi<｜Assistant｜>
//
//   ASSIGN_OR_RETURN(FimTemplate fim, FimTemplate::Create(*tok));
//   std::vector<TokenId> ids = fim.Encode("def f(x):\n    ", "\n    return y\n");
//   // <｜begin▁of▁sentence｜><｜fim▁begin｜>prefix<｜fim▁hole｜>suffix<｜fim▁end｜>  (PSM order)
//
// Chat layout (as DeepSeek-V3's tokenizer_config.json template): BOS, then every system text
// (options.system_prompt first, then system messages in order) joined by "\n\n", then per message
// "<｜User｜>" + content or "<｜Assistant｜>" + content + "<｜end▁of▁sentence｜>", then
// "<｜Assistant｜>" when add_generation_prompt. The marker tokens are looked up by text in the
// vocabulary (Create() fails naming the missing one). Message contents are encoded with
// parse_special = false, so text that looks like a marker inside a message stays text.
//
// Thread-safety: immutable; Encode/Render are safe from many threads. The Tokenizer must outlive
// the template.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tokenizer/bpe.h"

namespace engram::engine::tokenizer {

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct ChatOptions {
  bool add_generation_prompt = true;  // end with "<｜Assistant｜>" for the model to continue
  bool add_bos = true;
  std::string system_prompt = {};  // placed before any system messages; may be empty
};

class ChatTemplate {
 public:
  static absl::StatusOr<ChatTemplate> Create(const Tokenizer& tokenizer);

  // INVALID_ARGUMENT names a message with an unknown role.
  absl::StatusOr<std::vector<TokenId>> Encode(std::span<const ChatMessage> messages,
                                              const ChatOptions& options = {}) const;
  // The same prompt as text (markers spelled out), for logs and debugging.
  absl::StatusOr<std::string> Render(std::span<const ChatMessage> messages,
                                     const ChatOptions& options = {}) const;

 private:
  ChatTemplate() = default;
  // Calls `text(s)` for each stretch of content and `marker(id)` for each marker, in order.
  template <typename TextFn, typename MarkerFn>
  absl::Status Walk(std::span<const ChatMessage> messages, const ChatOptions& options, TextFn text,
                    MarkerFn marker) const;

  const Tokenizer* tokenizer_ = nullptr;
  TokenId bos_ = kNoToken;
  TokenId user_ = kNoToken;
  TokenId assistant_ = kNoToken;
  TokenId end_of_sentence_ = kNoToken;
};

class FimTemplate {
 public:
  // Looks up "<｜fim▁begin｜>", "<｜fim▁hole｜>" and "<｜fim▁end｜>" by text.
  static absl::StatusOr<FimTemplate> Create(const Tokenizer& tokenizer);

  // [BOS] <｜fim▁begin｜> prefix <｜fim▁hole｜> suffix <｜fim▁end｜>; the model then generates the
  // middle. BOS only when add_bos and the vocabulary has one.
  std::vector<TokenId> Encode(std::string_view prefix, std::string_view suffix,
                              bool add_bos = true) const;

  TokenId begin_id() const { return begin_; }
  TokenId hole_id() const { return hole_; }
  TokenId end_id() const { return end_; }

 private:
  FimTemplate() = default;
  const Tokenizer* tokenizer_ = nullptr;
  TokenId begin_ = kNoToken;
  TokenId hole_ = kNoToken;
  TokenId end_ = kNoToken;
};

}  // namespace engram::engine::tokenizer
