#include "engine/tokenizer/bpe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "tests/unit/engine/tokenizer/test_vocab.h"

namespace engram::engine::tokenizer {
namespace {

using ::testing::ElementsAre;
using testing::MakeTinyVocab;
using Ids = std::vector<TokenId>;

// Ids of MakeTinyVocab(): bytes 0..255, merge results 256..267, then the specials.
constexpr TokenId kHello = 259;
constexpr TokenId kSpaceWorld = 264;
constexpr TokenId kAA = 265;
constexpr TokenId kAAAA = 266;
constexpr TokenId kBos = 268;
constexpr TokenId kEos = 269;
constexpr TokenId kUser = 270;
constexpr TokenId kAdded = 275;
constexpr TokenId kAddedLonger = 276;
constexpr TokenId kByteA = 277;
constexpr TokenId kUnused = 278;

std::unique_ptr<Tokenizer> Make(Vocab vocab = MakeTinyVocab()) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Create(std::move(vocab));
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? std::move(*tok) : nullptr;
}

std::string CreateError(Vocab vocab) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::Create(std::move(vocab));
  EXPECT_FALSE(tok.ok());
  if (tok.ok()) return "";
  EXPECT_EQ(tok.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(tok.status().message());
}

TEST(Tokenizer, MergesByRank) {
  auto tok = Make();
  EXPECT_THAT(tok->Encode("hello world"), ElementsAre(kHello, kSpaceWorld));
  EXPECT_THAT(tok->Encode("help"), ElementsAre(256 /*he*/, 'l', 'p'));
  EXPECT_THAT(tok->Encode(""), ElementsAre());
  EXPECT_THAT(tok->Encode("x"), ElementsAre('x'));
}

TEST(Tokenizer, EqualRanksMergeLeftmostFirst) {
  auto tok = Make();
  EXPECT_THAT(tok->Encode("aaaaa"), ElementsAre(kAAAA, 'a'));
  EXPECT_THAT(tok->Encode("aaa"), ElementsAre(kAA, 'a'));
  EXPECT_THAT(tok->Encode("aaaaaa"), ElementsAre(kAAAA, kAA));
}

TEST(Tokenizer, BosAndEos) {
  auto tok = Make();
  EXPECT_THAT(tok->Encode("x", {.add_bos = true, .add_eos = true}), ElementsAre(kBos, 'x', kEos));
  EXPECT_TRUE(tok->DefaultEncodeOptions().add_bos);
  EXPECT_FALSE(tok->DefaultEncodeOptions().add_eos);
  EXPECT_TRUE(tok->IsEndOfGeneration(kEos));
  EXPECT_FALSE(tok->IsEndOfGeneration(kBos));
}

TEST(Tokenizer, UserDefinedTokensAreAlwaysMatchedControlOnlyWhenAsked) {
  auto tok = Make();
  EXPECT_THAT(tok->Encode("<added-longer>x<added>"), ElementsAre(kAddedLonger, 'x', kAdded));
  const std::vector<TokenId> plain = tok->Encode("<｜User｜>");
  EXPECT_GT(plain.size(), 1u);
  EXPECT_EQ(*tok->Decode(plain), "<｜User｜>");
  EXPECT_THAT(tok->Encode("<｜User｜>hello", {.parse_special = true}), ElementsAre(kUser, kHello));
}

TEST(Tokenizer, DecodeRendersEachTokenType) {
  auto tok = Make();
  EXPECT_EQ(*tok->Decode(Ids{kHello, kSpaceWorld}), "hello world");
  EXPECT_EQ(*tok->Decode(Ids{kBos, kHello}), "hello");
  EXPECT_EQ(*tok->Decode(Ids{kBos, kHello}, {.render_special = true}),
            "<｜begin▁of▁sentence｜>hello");
  EXPECT_EQ(*tok->Decode(Ids{kByteA, kAdded}), "A<added>");
  EXPECT_EQ(*tok->Decode(Ids{kUnused}, {.render_special = true}), "");
  EXPECT_EQ(tok->TokenToPiece(-1), "");
  EXPECT_EQ(tok->TokenToPiece(100000), "");
}

TEST(Tokenizer, DecodeRejectsIdsOutOfRange) {
  auto tok = Make();
  absl::StatusOr<std::string> s = tok->Decode(Ids{kHello, 999});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(),
            "tokenizer: token id 999 at position 1 is out of range (vocabulary of 279 tokens)");
}

TEST(Tokenizer, AnyBytesRoundTrip) {
  auto tok = Make();
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 8);
    const std::vector<TokenId> ids = tok->Encode(bytes);
    for (TokenId id : ids) EXPECT_LT(id, kBos);
    EXPECT_EQ(*tok->Decode(ids), bytes);
  }
}

TEST(Tokenizer, LongPiecesStayFast) {
  auto tok = Make();
  // One 200k-letter piece and a 200k-space run: the priority queue keeps this O(n log n).
  const std::string letters(200000, 'a');
  const auto start = std::chrono::steady_clock::now();
  const std::vector<TokenId> ids = tok->Encode(letters);
  const std::vector<TokenId> spaces = tok->Encode(std::string(200000, ' ') + "x");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(ids.size(), 50000u);
  EXPECT_EQ(*tok->Decode(spaces), std::string(200000, ' ') + "x");
  EXPECT_LT(seconds, 20.0);  // generous for Debug + sanitizers; quadratic would take minutes
}

TEST(Tokenizer, EncodeIsSafeFromManyThreads) {
  auto tok = Make();
  const std::string text = "hello world <added> aaaaa hello\n\tworld 123";
  const std::vector<TokenId> expected = tok->Encode(text);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        if (tok->Encode(text) != expected) ++mismatches;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Tokenizer, FindTokenAndTypes) {
  auto tok = Make();
  EXPECT_EQ(tok->FindToken("hello"), kHello);
  EXPECT_EQ(tok->FindToken("Ġworld"), kSpaceWorld);
  EXPECT_EQ(tok->FindToken("nope"), kNoToken);
  EXPECT_EQ(tok->type(kBos), TokenType::kControl);
  EXPECT_EQ(tok->type(-5), TokenType::kUndefined);
  EXPECT_EQ(tok->n_vocab(), 279);
}

TEST(TokenizerCreate, NamesTheBadMerge) {
  Vocab v = MakeTinyVocab();
  v.merges.push_back("q zz");
  EXPECT_EQ(CreateError(v), "tokenizer: merge 12 'q zz' names unknown token 'zz'");
  v = MakeTinyVocab();
  v.merges.push_back("q r");
  EXPECT_EQ(CreateError(v), "tokenizer: merge 12 'q r' makes 'qr', which is not in the vocabulary");
  v = MakeTinyVocab();
  v.merges.push_back("qr");
  EXPECT_EQ(CreateError(v), "tokenizer: merge 12 'qr' is not two tokens separated by a space");
}

TEST(TokenizerCreate, RequiresEveryByte) {
  Vocab v = MakeTinyVocab();
  v.tokens['\n'] = "newline";
  EXPECT_EQ(CreateError(v), "tokenizer: vocabulary has no token for byte 0x0a ('Ċ')");
}

TEST(TokenizerCreate, RejectsBadMetadata) {
  Vocab v = MakeTinyVocab("gpt-9");
  EXPECT_THAT(CreateError(v), ::testing::HasSubstr("unknown pre-tokenizer 'gpt-9'"));
  v = MakeTinyVocab();
  v.model = "llama";
  EXPECT_THAT(CreateError(v), ::testing::HasSubstr("model 'llama' is not supported"));
  v = MakeTinyVocab();
  v.types.pop_back();
  EXPECT_EQ(CreateError(v), "tokenizer: 278 token types for 279 tokens");
  v = MakeTinyVocab();
  v.bos_id = 279;
  EXPECT_EQ(CreateError(v), "tokenizer: bos id 279 is out of range (vocabulary of 279 tokens)");
  v = MakeTinyVocab();
  v.bos_id = kNoToken;
  EXPECT_EQ(CreateError(v), "tokenizer: add_bos_token is set but there is no bos token");
  v = MakeTinyVocab();
  v.tokens[kByteA] = "<0xZZ>";
  EXPECT_EQ(CreateError(v), "tokenizer: byte token 277 '<0xZZ>' is not of the form <0xAB>");
  v = Vocab();
  v.pre = "deepseek-v3";
  EXPECT_EQ(CreateError(v), "tokenizer: the vocabulary is empty");
}

TEST(TokenizerCreate, MissingTypesMeanNormal) {
  Vocab v = MakeTinyVocab();
  v.types.clear();
  v.tokens.resize(kBos);  // drop the specials
  v.bos_id = kNoToken;
  v.eos_id = kNoToken;
  v.add_bos = false;
  auto tok = Make(std::move(v));
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->type(kHello), TokenType::kNormal);
  EXPECT_THAT(tok->Encode("hello", {.add_bos = true}), ElementsAre(kHello));
}

}  // namespace
}  // namespace engram::engine::tokenizer
