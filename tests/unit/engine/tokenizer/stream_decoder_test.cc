#include "engine/tokenizer/stream_decoder.h"

#include <gtest/gtest.h>

#include "tests/unit/engine/tokenizer/test_vocab.h"

namespace engram::engine::tokenizer {
namespace {

class StreamDecoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Create(testing::MakeTinyVocab());
    ASSERT_TRUE(tok.ok()) << tok.status();
    tok_ = std::move(*tok);
  }
  std::unique_ptr<Tokenizer> tok_;
};

// In the tiny vocabulary, id b < 256 is the token of byte b.
TEST_F(StreamDecoderTest, HoldsBackIncompleteCharacters) {
  StreamDecoder dec(*tok_);
  EXPECT_EQ(dec.Push('a'), "a");
  EXPECT_EQ(dec.Push(0xE2), "");
  EXPECT_EQ(dec.Push(0x82), "");
  EXPECT_EQ(dec.pending_bytes(), 2u);
  EXPECT_EQ(dec.Push(0xAC), "€");
  EXPECT_EQ(dec.Push(0xF0), "");
  EXPECT_EQ(dec.Push(0x9F), "");
  EXPECT_EQ(dec.Push(0x9A), "");
  EXPECT_EQ(dec.Push(0x80), "🚀");
  EXPECT_EQ(dec.Finish(), "");
}

TEST_F(StreamDecoderTest, ReplacesInvalidSequences) {
  StreamDecoder dec(*tok_);
  EXPECT_EQ(dec.Push(0xFF), "\uFFFD");
  EXPECT_EQ(dec.Push(0xE4), "");
  EXPECT_EQ(dec.Push('x'), "\uFFFDx");  // E4 then 'x': the E4 can never complete
  EXPECT_EQ(dec.Push(0xE4), "");
  EXPECT_EQ(dec.Push(0xB8), "");
  EXPECT_EQ(dec.Finish(), "\uFFFD");  // truncated at the end of the stream
  EXPECT_EQ(dec.pending_bytes(), 0u);
}

TEST_F(StreamDecoderTest, WholeTokensAndSpecials) {
  StreamDecoder plain(*tok_);
  EXPECT_EQ(plain.Push(259), "hello");
  EXPECT_EQ(plain.Push(268), "");  // BOS renders as nothing by default
  EXPECT_EQ(plain.Push(-3), "");
  StreamDecoder special(*tok_, {.render_special = true});
  EXPECT_EQ(special.Push(268), "<｜begin▁of▁sentence｜>");
}

TEST_F(StreamDecoderTest, ResetDropsPendingBytes) {
  StreamDecoder dec(*tok_);
  EXPECT_EQ(dec.Push(0xE2), "");
  dec.Reset();
  EXPECT_EQ(dec.Push('a'), "a");
}

}  // namespace
}  // namespace engram::engine::tokenizer
