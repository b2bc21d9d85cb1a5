#include "engine/tokenizer/chat_template.h"

#include "absl/strings/str_cat.h"
#include "support/status.h"

namespace engram::engine::tokenizer {
namespace {

constexpr std::string_view kUser = "<｜User｜>";
constexpr std::string_view kAssistant = "<｜Assistant｜>";
constexpr std::string_view kEndOfSentence = "<｜end▁of▁sentence｜>";
constexpr std::string_view kFimBegin = "<｜fim▁begin｜>";
constexpr std::string_view kFimHole = "<｜fim▁hole｜>";
constexpr std::string_view kFimEnd = "<｜fim▁end｜>";

absl::StatusOr<TokenId> Lookup(const Tokenizer& tokenizer, std::string_view what,
                               std::string_view text) {
  const TokenId id = tokenizer.FindToken(text);
  if (id == kNoToken) {
    return absl::NotFoundError(
        absl::StrCat(std::string(what), ": the vocabulary has no token '", std::string(text), "'"));
  }
  return id;
}

}  // namespace

absl::StatusOr<ChatTemplate> ChatTemplate::Create(const Tokenizer& tokenizer) {
  ChatTemplate t;
  t.tokenizer_ = &tokenizer;
  t.bos_ = tokenizer.bos_id();
  ASSIGN_OR_RETURN(t.user_, Lookup(tokenizer, "chat template", kUser));
  ASSIGN_OR_RETURN(t.assistant_, Lookup(tokenizer, "chat template", kAssistant));
  ASSIGN_OR_RETURN(t.end_of_sentence_, Lookup(tokenizer, "chat template", kEndOfSentence));
  return t;
}

template <typename TextFn, typename MarkerFn>
absl::Status ChatTemplate::Walk(std::span<const ChatMessage> messages, const ChatOptions& options,
                                TextFn text, MarkerFn marker) const {
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string& role = messages[i].role;
    if (role != "system" && role != "user" && role != "assistant") {
      return absl::InvalidArgumentError(absl::StrCat("chat template: message ", i, " has role '",
                                                     role,
                                                     "'; expected system, user or assistant"));
    }
  }
  if (options.add_bos) {
    if (bos_ == kNoToken) {
      return absl::InvalidArgumentError("chat template: add_bos is set but there is no bos token");
    }
    marker(bos_);
  }
  std::string system = options.system_prompt;
  bool have_system = !system.empty();
  for (const ChatMessage& m : messages) {
    if (m.role != "system") continue;
    if (have_system) system.append("\n\n");
    system.append(m.content);
    have_system = true;
  }
  text(std::string_view(system));
  for (const ChatMessage& m : messages) {
    if (m.role == "user") {
      marker(user_);
      text(std::string_view(m.content));
    } else if (m.role == "assistant") {
      marker(assistant_);
      text(std::string_view(m.content));
      marker(end_of_sentence_);
    }
  }
  if (options.add_generation_prompt) marker(assistant_);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TokenId>> ChatTemplate::Encode(std::span<const ChatMessage> messages,
                                                          const ChatOptions& options) const {
  std::vector<TokenId> ids;
  const EncodeOptions plain;  // contents: no BOS, special texts stay text
  RETURN_IF_ERROR(Walk(
      messages, options, [&](std::string_view s) { tokenizer_->EncodeAppend(s, plain, &ids); },
      [&](TokenId id) { ids.push_back(id); }));
  return ids;
}

absl::StatusOr<std::string> ChatTemplate::Render(std::span<const ChatMessage> messages,
                                                 const ChatOptions& options) const {
  std::string out;
  RETURN_IF_ERROR(Walk(
      messages, options, [&](std::string_view s) { out.append(s); },
      [&](TokenId id) { out.append(tokenizer_->TokenToPiece(id, /*render_special=*/true)); }));
  return out;
}

absl::StatusOr<FimTemplate> FimTemplate::Create(const Tokenizer& tokenizer) {
  FimTemplate t;
  t.tokenizer_ = &tokenizer;
  ASSIGN_OR_RETURN(t.begin_, Lookup(tokenizer, "fim template", kFimBegin));
  ASSIGN_OR_RETURN(t.hole_, Lookup(tokenizer, "fim template", kFimHole));
  ASSIGN_OR_RETURN(t.end_, Lookup(tokenizer, "fim template", kFimEnd));
  return t;
}

std::vector<TokenId> FimTemplate::Encode(std::string_view prefix, std::string_view suffix,
                                         bool add_bos) const {
  std::vector<TokenId> ids;
  if (add_bos && tokenizer_->bos_id() != kNoToken) ids.push_back(tokenizer_->bos_id());
  const EncodeOptions plain;
  ids.push_back(begin_);
  tokenizer_->EncodeAppend(prefix, plain, &ids);
  ids.push_back(hole_);
  tokenizer_->EncodeAppend(suffix, plain, &ids);
  ids.push_back(end_);
  return ids;
}

}  // namespace engram::engine::tokenizer
