// The engine facade on tests/golden/deepseek2/tiny-f32.gguf: generation agrees with the model's
// own greedy argmax, stop strings and cancellation end it cleanly, bad files leave the old model.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "engine/gguf/gguf_file.h"

namespace engram::engine {
namespace {

const std::string kModel = std::string(ENGRAM_GOLDEN_DIR) + "/deepseek2/tiny-f32.gguf";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = engine_.Load(kModel);
    ASSERT_TRUE(m.ok()) << m.status();
  }
  std::string Collect(const GenerateRequest& req, GenerateResult* result, const CancellationToken& cancel = {}) {
    std::string text;
    auto r = engine_.Generate(req, cancel, [&](const GeneratedChunk& c) {
      text += c.text;
      tokens_.push_back(c.token);
    });
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) *result = *r;
    return text;
  }
  Engine engine_{EngineOptions{.n_threads = 2, .max_context = 256}};
  std::vector<int32_t> tokens_;
};

TEST_F(EngineTest, LoadReportsTheModel) {
  auto m = engine_.loaded();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->info.architecture, "deepseek2");
  EXPECT_EQ(m->info.n_vocab, 512);
  EXPECT_EQ(m->info.n_layer, 3);
  EXPECT_EQ(m->info.n_params, 865552);  // from the model's JSON sidecar
  EXPECT_EQ(m->context, 256);
  ASSERT_EQ(m->bytes_by_type.count("f32"), 1u);
  EXPECT_EQ(m->bytes_by_type.at("f32"), 865552 * 4);
}

TEST_F(EngineTest, GreedyGenerationFollowsTheModelsArgmax) {
  auto prompt = engine_.CompletionPrompt("the quick brown fox");
  ASSERT_TRUE(prompt.ok());
  GenerateResult r;
  std::string text = Collect({.prompt = *prompt, .max_tokens = 12}, &r);
  EXPECT_EQ(r.prompt_tokens, static_cast<int32_t>(prompt->size()));
  ASSERT_GT(r.completion_tokens, 0);

  // Recompute the greedy continuation with one batch over prompt + generated tokens.
  std::vector<int32_t> generated;
  for (int32_t t : tokens_) if (t >= 0) generated.push_back(t);
  std::vector<int32_t> all = *prompt;
  all.insert(all.end(), generated.begin(), generated.end());
  auto file = gguf::File::Open(kModel);
  ASSERT_TRUE(file.ok());
  ThreadPool pool(1);
  auto model = LoadModel(std::shared_ptr<const gguf::File>(std::move(*file)), &pool);
  ASSERT_TRUE(model.ok());
  auto seq = (*model)->NewSequence(256);
  std::vector<float> logits(all.size() * 512);
  ASSERT_TRUE((*model)->Forward(all, seq.get(), true, logits.data()).ok());
  for (size_t i = 0; i < generated.size(); ++i) {
    const float* row = logits.data() + (prompt->size() - 1 + i) * 512;
    EXPECT_EQ(std::max_element(row, row + 512) - row, generated[i]) << "token " << i;
  }
  if (r.reason == FinishReason::kLength) {
    EXPECT_EQ(r.completion_tokens, 12);
  }
}

TEST_F(EngineTest, StopStringEndsGenerationBeforeIt) {
  auto prompt = engine_.CompletionPrompt("the quick brown fox");
  GenerateResult full_result;
  std::string full = Collect({.prompt = *prompt, .max_tokens = 24}, &full_result);
  ASSERT_GE(full.size(), 4u) << "the tiny model generated too little text to test stop strings";
  // Stop at a piece from the middle of the greedy text: output is everything before it.
  std::string stop = full.substr(full.size() / 2, 2);
  size_t first = full.find(stop);
  GenerateResult r;
  tokens_.clear();
  std::string text = Collect({.prompt = *prompt, .max_tokens = 24, .stop = {stop}}, &r);
  EXPECT_EQ(r.reason, FinishReason::kStop);
  EXPECT_EQ(text, full.substr(0, first));
}

TEST_F(EngineTest, CancellationStopsBetweenTokens) {
  auto prompt = engine_.CompletionPrompt("hello");
  CancellationSource source;
  int chunks = 0;
  auto r = engine_.Generate({.prompt = *prompt, .max_tokens = 100}, source.token(), [&](const GeneratedChunk&) {
    if (++chunks == 3) source.Cancel();
  });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->reason, FinishReason::kCancelled);
  EXPECT_EQ(r->completion_tokens, 3);
}

TEST_F(EngineTest, PromptsForFimAndChatUseTheVocabularyMarkers) {
  auto fim = engine_.FimPrompt("def f(", "):");
  ASSERT_TRUE(fim.ok()) << fim.status();
  EXPECT_EQ(fim->front(), 504);  // BOS, then <｜fim▁begin｜> (id 508)
  EXPECT_EQ((*fim)[1], 508);
  EXPECT_EQ(fim->back(), 509);   // <｜fim▁end｜>
  std::vector<tokenizer::ChatMessage> msgs = {{"user", "hi"}};
  auto chat = engine_.ChatPrompt(msgs, "");
  ASSERT_TRUE(chat.ok()) << chat.status();
  EXPECT_EQ(chat->back(), 511);  // <｜Assistant｜>
}

TEST_F(EngineTest, BadRequestsAreRejected) {
  EXPECT_EQ(engine_.Generate({}, {}, [](const GeneratedChunk&) {}).status().code(), absl::StatusCode::kInvalidArgument);
  auto prompt = engine_.CompletionPrompt("x");
  GenerateRequest bad{.prompt = *prompt};
  bad.sampling.top_p = 2.0f;
  EXPECT_EQ(engine_.Generate(bad, {}, [](const GeneratedChunk&) {}).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<int32_t> long_prompt(300, 1);
  EXPECT_EQ(engine_.Generate({.prompt = long_prompt}, {}, [](const GeneratedChunk&) {}).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST_F(EngineTest, AFailedLoadKeepsThePreviousModel) {
  std::string bad = std::filesystem::temp_directory_path() / "engram-engine-test-truncated.gguf";
  {
    std::ifstream in(kModel, std::ios::binary);
    std::string bytes(4096, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(bad, std::ios::binary) << bytes;
  }
  auto r = engine_.Load(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("engram-engine-test-truncated.gguf"), std::string::npos) << r.status();
  std::filesystem::remove(bad);
  ASSERT_TRUE(engine_.loaded().has_value());
  EXPECT_EQ(engine_.loaded()->path, kModel);
  EXPECT_FALSE(engine_.Load("/nonexistent/model.gguf").ok());
}

TEST(EngineNoModel, EverythingSaysNoModel) {
  Engine e({.n_threads = 1});
  EXPECT_FALSE(e.loaded().has_value());
  EXPECT_EQ(e.CompletionPrompt("x").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(e.Generate({.prompt = {1}}, {}, [](const GeneratedChunk&) {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace engram::engine
