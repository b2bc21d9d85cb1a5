// deepseek2 forward pass against llama.cpp's logits (tests/golden/deepseek2, see its README for how
// they were made and the tolerances). Every model runs as one batch, one token at a time and in
// chunks; all three must match the golden logits at every position.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "tests/unit/engine/model/gguf_rewrite.h"

namespace engram::engine {
namespace {

const std::string kDir = std::string(ENGRAM_GOLDEN_DIR) + "/deepseek2/";

std::vector<int32_t> ReadTokens(const std::string& path) {
  std::ifstream in(path);
  std::vector<int32_t> ids;
  std::string item;
  while (std::getline(in, item, ',')) ids.push_back(std::stoi(item));
  return ids;
}

std::vector<float> ReadLogits(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

struct Comparison {
  double max_abs = 0.0;
  double rel_rms = 0.0;      // ||got - want|| / ||want||
  int argmax_matches = 0;
  int positions = 0;
};

Comparison Compare(const std::vector<float>& got, const std::vector<float>& want, int64_t n_vocab) {
  Comparison c;
  double err2 = 0.0, ref2 = 0.0;
  c.positions = static_cast<int>(want.size() / static_cast<size_t>(n_vocab));
  for (int p = 0; p < c.positions; ++p) {
    const float* g = got.data() + p * n_vocab;
    const float* w = want.data() + p * n_vocab;
    for (int64_t i = 0; i < n_vocab; ++i) {
      const double d = static_cast<double>(g[i]) - w[i];
      c.max_abs = std::max(c.max_abs, std::fabs(d));
      err2 += d * d;
      ref2 += static_cast<double>(w[i]) * w[i];
    }
    if (std::max_element(g, g + n_vocab) - g == std::max_element(w, w + n_vocab) - w) ++c.argmax_matches;
  }
  c.rel_rms = std::sqrt(err2 / ref2);
  return c;
}

// Runs `tokens` through a fresh sequence in chunks of `chunk` (0: one batch), returning all logits.
std::vector<float> RunChunked(const Model& model, const std::vector<int32_t>& tokens, size_t chunk,
                              KvType kv = KvType::kF32) {
  const int64_t V = model.info().n_vocab;
  auto seq = model.NewSequence(static_cast<int64_t>(tokens.size()), kv);
  std::vector<float> logits(tokens.size() * static_cast<size_t>(V));
  if (chunk == 0) chunk = tokens.size();
  for (size_t begin = 0; begin < tokens.size(); begin += chunk) {
    size_t n = std::min(chunk, tokens.size() - begin);
    absl::Status s = model.Forward(std::span(tokens).subspan(begin, n), seq.get(), true,
                                   logits.data() + begin * static_cast<size_t>(V));
    EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_EQ(seq->size(), static_cast<int64_t>(tokens.size()));
  return logits;
}

struct Case {
  const char* model;
  const char* tokens;
  const char* logits;
  bool exact;  // F32 weights: max |Δ| <= 1e-3 and every argmax. Else the quantized tolerance.
};

class Deepseek2Golden : public ::testing::TestWithParam<Case> {};

TEST_P(Deepseek2Golden, BatchSequentialAndChunkedMatchLlamaCpp) {
  const Case c = GetParam();
  auto file = gguf::File::Open(kDir + c.model);
  ASSERT_TRUE(file.ok()) << file.status();
  ThreadPool pool(2);
  auto model = LoadModel(std::shared_ptr<const gguf::File>(std::move(*file)), &pool);
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<int32_t> tokens = ReadTokens(kDir + c.tokens);
  const std::vector<float> want = ReadLogits(kDir + c.logits);
  const int64_t V = (*model)->info().n_vocab;
  ASSERT_EQ(want.size(), tokens.size() * static_cast<size_t>(V));

  for (size_t chunk : {size_t{0}, size_t{1}, size_t{7}}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    Comparison r = Compare(RunChunked(**model, tokens, chunk), want, V);
    if (c.exact) {
      // llama.cpp's own batch vs sequential runs agree to 4e-6; the README allows 1e-3.
      EXPECT_LE(r.max_abs, 1e-3) << c.model;
      EXPECT_EQ(r.argmax_matches, r.positions) << c.model;
    } else {
      // llama.cpp quantizes activations to Q8 in quantized matmuls; we compute activations in float.
      // README: relative RMS <= 5e-2 and the same argmax at >= 90 % of positions.
      EXPECT_LE(r.rel_rms, 5e-2) << c.model;
      EXPECT_GE(r.argmax_matches, static_cast<int>(std::ceil(0.9 * r.positions))) << c.model;
    }
    std::printf("%s chunk=%zu: max|d|=%.3g rel_rms=%.3g argmax %d/%d\n", c.model, chunk, r.max_abs, r.rel_rms,
                r.argmax_matches, r.positions);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, Deepseek2Golden,
    ::testing::Values(Case{"tiny-f32.gguf", "prompt33.tokens", "tiny-f32.p33.logits.f32", true},
                      Case{"tiny-v2-f32.gguf", "prompt33.tokens", "tiny-v2-f32.p33.logits.f32", true},
                      Case{"tiny-yarn-f32.gguf", "prompt33.tokens", "tiny-yarn-f32.p33.logits.f32", true},
                      Case{"tiny-yarn-f32.gguf", "rand200.tokens", "tiny-yarn-f32.r200.logits.f32", true},
                      Case{"tiny-q8_0.gguf", "prompt33.tokens", "tiny-q8_0.p33.logits.f32", false},
                      Case{"kquants/small-q4_k_m.gguf", "prompt33.tokens", "kquants/small-q4_k_m.p33.logits.f32", false},
                      Case{"kquants/small-q6_k.gguf", "prompt33.tokens", "kquants/small-q6_k.p33.logits.f32", false}),
    [](const ::testing::TestParamInfo<Case>& p) {
      std::string name = std::string(p.param.model) + "_" + p.param.tokens;
      for (char& ch : name) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return name;
    });

// Reduced-precision KV caches against the F32 cache on the same model (issue: FP8 within 2e-2
// relative). A random router with 2 of 8 experts turns the cache's rounding into discrete expert
// flips at a few positions (O(1) logit changes, as the golden README warns for V4), so the model is
// made smooth first: every expert used, no group limit, nothing left to flip. F16 keeps 11
// significant bits, BF16 8, FP8 E4M3 4 (with a scale per 64 values).
TEST(Deepseek2KvTypes, ReducedPrecisionCachesStayCloseToF32AndAgreeAcrossChunkings) {
  auto src = gguf::File::Open(kDir + "tiny-yarn-f32.gguf");
  ASSERT_TRUE(src.ok()) << src.status();
  testing::Rewrite smooth;
  smooth.key = [](const std::string& key, gguf::Writer& w) {
    if (key == "deepseek2.expert_used_count") w.AddUint32(key, 8);
    if (key == "deepseek2.expert_group_count" || key == "deepseek2.expert_group_used_count") w.AddUint32(key, 0);
    return key != "deepseek2.expert_used_count" && key != "deepseek2.expert_group_count" &&
           key != "deepseek2.expert_group_used_count";
  };
  auto file = testing::RewriteGguf(**src, smooth, "tiny-yarn-smooth.gguf");
  ASSERT_TRUE(file.ok()) << file.status();
  ThreadPool pool(2);
  auto model = LoadModel(std::shared_ptr<const gguf::File>(std::move(*file)), &pool);
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<int32_t> tokens = ReadTokens(kDir + "rand200.tokens");
  const int64_t V = (*model)->info().n_vocab;
  const std::vector<float> f32 = RunChunked(**model, tokens, 0, KvType::kF32);
  struct Bound {
    KvType type;
    double rel_rms;
  };
  for (Bound b : {Bound{KvType::kF16, 1e-3}, Bound{KvType::kBF16, 1e-2}, Bound{KvType::kFp8, 2e-2}}) {
    const std::vector<float> batch = RunChunked(**model, tokens, 0, b.type);
    Comparison c = Compare(batch, f32, V);
    std::printf("kv %s: rel_rms %.3g max|d| %.3g argmax %d/%d\n", std::string(KvTypeName(b.type)).c_str(),
                c.rel_rms, c.max_abs, c.argmax_matches, c.positions);
    EXPECT_LE(c.rel_rms, b.rel_rms) << KvTypeName(b.type);
    EXPECT_GT(c.max_abs, 0.0) << "the cache type had no effect: " << KvTypeName(b.type);
    // The stored values are what attention sees for old and new tokens alike, so chunking does not
    // change the result beyond float summation order.
    Comparison chunked = Compare(RunChunked(**model, tokens, 7, b.type), batch, V);
    EXPECT_LE(chunked.max_abs, 1e-4) << KvTypeName(b.type);
  }
}

TEST(Deepseek2, ForwardRejectsBadTokensAndOverflowWithoutChangingTheSequence) {
  auto file = gguf::File::Open(kDir + "tiny-f32.gguf");
  ASSERT_TRUE(file.ok()) << file.status();
  ThreadPool pool(1);
  auto model = LoadModel(std::shared_ptr<const gguf::File>(std::move(*file)), &pool);
  ASSERT_TRUE(model.ok()) << model.status();
  auto seq = (*model)->NewSequence(4);
  std::vector<float> logits(4 * 512);
  std::vector<int32_t> bad = {1, 512};
  absl::Status s = (*model)->Forward(bad, seq.get(), true, logits.data());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(seq->size(), 0);
  std::vector<int32_t> five = {1, 2, 3, 4, 5};
  EXPECT_EQ((*model)->Forward(five, seq.get(), true, logits.data()).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(seq->size(), 0);
}

}  // namespace
}  // namespace engram::engine
