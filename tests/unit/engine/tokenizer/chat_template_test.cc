#include "engine/tokenizer/chat_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/engine/tokenizer/test_vocab.h"

namespace engram::engine::tokenizer {
namespace {

using ::testing::ElementsAre;

class ChatTemplateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Create(testing::MakeTinyVocab());
    ASSERT_TRUE(tok.ok()) << tok.status();
    tok_ = std::move(*tok);
    absl::StatusOr<ChatTemplate> chat = ChatTemplate::Create(*tok_);
    ASSERT_TRUE(chat.ok()) << chat.status();
    chat_.emplace(std::move(*chat));
  }
  std::unique_ptr<Tokenizer> tok_;
  std::optional<ChatTemplate> chat_;
};

TEST_F(ChatTemplateTest, RendersTheDeepSeekLayout) {
  const std::vector<ChatMessage> messages = {
      {"user", "hello"}, {"assistant", "world"}, {"system", "Two."}, {"user", "again"}};
  absl::StatusOr<std::string> text = chat_->Render(messages, {.system_prompt = "One."});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "<｜begin▁of▁sentence｜>One.\n\nTwo.<｜User｜>hello<｜Assistant｜>world"
            "<｜end▁of▁sentence｜><｜User｜>again<｜Assistant｜>");
  absl::StatusOr<std::vector<TokenId>> ids = chat_->Encode(messages, {.system_prompt = "One."});
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, tok_->Encode(*text, {.parse_special = true}));
}

TEST_F(ChatTemplateTest, OptionsDropBosAndGenerationPrompt) {
  const std::vector<ChatMessage> messages = {{"user", "hello"}};
  absl::StatusOr<std::vector<TokenId>> ids =
      chat_->Encode(messages, {.add_generation_prompt = false, .add_bos = false});
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre(270 /*<｜User｜>*/, 259 /*hello*/));
}

TEST_F(ChatTemplateTest, MarkerTextInsideContentStaysText) {
  const std::vector<ChatMessage> messages = {{"user", "<｜Assistant｜>"}};
  absl::StatusOr<std::vector<TokenId>> ids = chat_->Encode(messages, {.add_bos = false});
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(std::count(ids->begin(), ids->end(), 271), 1);  // only the generation prompt
  EXPECT_EQ(ids->back(), 271);
}

TEST_F(ChatTemplateTest, UnknownRoleIsAnError) {
  const std::vector<ChatMessage> messages = {{"user", "a"}, {"tool", "b"}};
  absl::StatusOr<std::vector<TokenId>> ids = chat_->Encode(messages);
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ids.status().message(),
            "chat template: message 1 has role 'tool'; expected system, user or assistant");
}

TEST(ChatTemplate, MissingMarkersAreNamed) {
  Vocab v = testing::MakeTinyVocab();
  v.tokens[270] = "<|User|>";
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Create(std::move(v));
  ASSERT_TRUE(tok.ok()) << tok.status();
  absl::StatusOr<ChatTemplate> chat = ChatTemplate::Create(**tok);
  ASSERT_FALSE(chat.ok());
  EXPECT_EQ(chat.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(chat.status().message(), "chat template: the vocabulary has no token '<｜User｜>'");
}

TEST(FimTemplate, BuildsPrefixSuffixMiddleOrder) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Create(testing::MakeTinyVocab());
  ASSERT_TRUE(tok.ok()) << tok.status();
  absl::StatusOr<FimTemplate> fim = FimTemplate::Create(**tok);
  ASSERT_TRUE(fim.ok()) << fim.status();
  EXPECT_THAT(fim->Encode("hello", " world"), ElementsAre(268, 272, 259, 273, 264, 274));
  EXPECT_THAT(fim->Encode("", "", /*add_bos=*/false), ElementsAre(272, 273, 274));
}

}  // namespace
}  // namespace engram::engine::tokenizer
