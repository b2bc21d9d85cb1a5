#include "engine/tokenizer/vocab.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/byte_level.h"

namespace engram::engine::tokenizer {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<Vocab> Load(const gguf::Writer& w) {
  absl::StatusOr<std::string> image = w.Serialize();
  if (!image.ok()) return image.status();
  absl::StatusOr<std::unique_ptr<gguf::File>> file = gguf::File::FromBuffer(*image, "v.gguf");
  if (!file.ok()) return file.status();
  return LoadVocabFromGguf(**file);
}

// The required keys of a two-token vocabulary.
gguf::Writer Minimal(std::string model = "gpt2") {
  gguf::Writer w;
  w.AddString("tokenizer.ggml.model", std::move(model));
  w.AddString("tokenizer.ggml.pre", "deepseek-v3");
  w.AddStringArray("tokenizer.ggml.tokens", {"a", "b"});
  w.AddStringArray("tokenizer.ggml.merges", {});
  return w;
}

std::string ErrorOf(const gguf::Writer& w) {
  absl::StatusOr<Vocab> v = Load(w);
  EXPECT_FALSE(v.ok());
  return v.ok() ? "" : std::string(v.status().message());
}

TEST(LoadVocabFromGguf, ReadsEveryField) {
  gguf::Writer w;
  w.AddString("general.architecture", "deepseek2");
  w.AddString("tokenizer.ggml.model", "gpt2");
  w.AddString("tokenizer.ggml.pre", "deepseek-v3");
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.push_back(ByteLevelEncode(std::string(1, char(b))));
  tokens.push_back("ab");
  tokens.push_back("<s>");
  tokens.push_back("</s>");
  w.AddStringArray("tokenizer.ggml.tokens", tokens);
  std::vector<int32_t> types(tokens.size(), 1);
  types[257] = 3;
  types[258] = 3;
  w.AddInt32Array("tokenizer.ggml.token_type", types);
  w.AddStringArray("tokenizer.ggml.merges", {"a b"});
  w.AddUint32("tokenizer.ggml.bos_token_id", 257);
  w.AddUint32("tokenizer.ggml.eos_token_id", 258);
  w.AddBool("tokenizer.ggml.add_bos_token", true);
  w.AddBool("tokenizer.ggml.add_eos_token", false);
  w.AddString("tokenizer.chat_template", "{{ bos_token }}");

  absl::StatusOr<Vocab> v = Load(w);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->model, "gpt2");
  EXPECT_EQ(v->pre, "deepseek-v3");
  ASSERT_EQ(v->tokens.size(), 259u);
  EXPECT_EQ(v->tokens[256], "ab");
  ASSERT_EQ(v->types.size(), 259u);
  EXPECT_EQ(v->types[0], TokenType::kNormal);
  EXPECT_EQ(v->types[257], TokenType::kControl);
  EXPECT_EQ(v->merges, std::vector<std::string>{"a b"});
  EXPECT_EQ(v->bos_id, 257);
  EXPECT_EQ(v->eos_id, 258);
  EXPECT_EQ(v->pad_id, kNoToken);
  EXPECT_TRUE(v->add_bos);
  EXPECT_FALSE(v->add_eos);
  EXPECT_EQ(v->chat_template, "{{ bos_token }}");

  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Create(*std::move(v));
  ASSERT_TRUE(tok.ok()) << tok.status();
  EXPECT_EQ((*tok)->Encode("ab", (*tok)->DefaultEncodeOptions()), (std::vector<TokenId>{257, 256}));
}

TEST(LoadVocabFromGguf, OptionalKeysHaveDefaults) {
  absl::StatusOr<Vocab> v = Load(Minimal());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->types.empty());
  EXPECT_EQ(v->bos_id, kNoToken);
  EXPECT_FALSE(v->add_bos);
  EXPECT_TRUE(v->chat_template.empty());
}

TEST(LoadVocabFromGguf, MissingKeysAreNamed) {
  gguf::Writer w;
  w.AddString("tokenizer.ggml.model", "gpt2");
  w.AddStringArray("tokenizer.ggml.tokens", {"a"});
  absl::StatusOr<Vocab> v = Load(w);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(v.status().message(), HasSubstr("tokenizer: "));
  EXPECT_THAT(v.status().message(), HasSubstr("tokenizer.ggml.pre"));

  gguf::Writer no_merges;
  no_merges.AddString("tokenizer.ggml.model", "gpt2");
  no_merges.AddString("tokenizer.ggml.pre", "deepseek-v3");
  no_merges.AddStringArray("tokenizer.ggml.tokens", {"a"});
  EXPECT_THAT(ErrorOf(no_merges), HasSubstr("tokenizer.ggml.merges"));
}

TEST(LoadVocabFromGguf, RejectsOtherModels) {
  EXPECT_EQ(ErrorOf(Minimal("llama")),
            "tokenizer: v.gguf: tokenizer.ggml.model is 'llama'; only byte-level BPE ('gpt2') is "
            "supported");
}

TEST(LoadVocabFromGguf, TokenTypesMustMatchTheTokens) {
  gguf::Writer w = Minimal();
  w.AddInt32Array("tokenizer.ggml.token_type", {1});
  EXPECT_EQ(ErrorOf(w),
            "tokenizer: v.gguf: tokenizer.ggml.token_type has 1 entries but tokenizer.ggml.tokens "
            "has 2");
  gguf::Writer w2 = Minimal();
  w2.AddInt32Array("tokenizer.ggml.token_type", {1, 9});
  EXPECT_EQ(ErrorOf(w2), "tokenizer: v.gguf: tokenizer.ggml.token_type[1] is 9, not a token type");
}

TEST(LoadVocabFromGguf, SpecialIdsMustBeInRange) {
  gguf::Writer w = Minimal();
  w.AddUint32("tokenizer.ggml.eos_token_id", 2);
  EXPECT_EQ(ErrorOf(w),
            "tokenizer: v.gguf: tokenizer.ggml.eos_token_id 2 is out of range (vocabulary of 2 "
            "tokens)");
  gguf::Writer w2 = Minimal();
  w2.AddInt32("tokenizer.ggml.padding_token_id", -1);
  EXPECT_THAT(ErrorOf(w2), HasSubstr("tokenizer.ggml.padding_token_id -1 is out of range"));
}

TEST(LoadVocabFromGguf, WrongValueTypeIsAnError) {
  gguf::Writer w;
  w.AddString("tokenizer.ggml.model", "gpt2");
  w.AddString("tokenizer.ggml.pre", "deepseek-v3");
  w.AddInt32Array("tokenizer.ggml.tokens", {1, 2});
  absl::StatusOr<Vocab> v = Load(w);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr("tokenizer.ggml.tokens"));
}

TEST(TokenTypeName, NamesEveryType) {
  EXPECT_EQ(TokenTypeName(TokenType::kNormal), "normal");
  EXPECT_EQ(TokenTypeName(TokenType::kUserDefined), "user-defined");
  EXPECT_EQ(TokenTypeName(TokenType::kByte), "byte");
}

}  // namespace
}  // namespace engram::engine::tokenizer
