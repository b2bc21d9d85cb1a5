#include "engine/sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace engram::engine {
namespace {

std::vector<float> LogitsOf(const std::vector<double>& probs) {
  std::vector<float> l;
  for (double p : probs) l.push_back(static_cast<float>(std::log(p)));
  return l;
}

TEST(Sampler, GreedyPicksTheArgmaxAndReportsItsLogprob) {
  std::vector<float> logits = LogitsOf({0.1, 0.6, 0.3});
  Sampler s({.n_logprobs = 3}, 3);
  SampledToken t = s.Sample(logits.data(), {});
  EXPECT_EQ(t.token, 1);
  EXPECT_NEAR(t.logprob, std::log(0.6), 1e-6);
  ASSERT_EQ(t.top.size(), 3u);
  EXPECT_EQ(t.top[0].token, 1);
  EXPECT_EQ(t.top[1].token, 2);
  EXPECT_EQ(t.top[2].token, 0);
  EXPECT_NEAR(t.top[2].logprob, std::log(0.1), 1e-6);
}

TEST(Sampler, TemperatureDrawsFollowTheDistribution) {
  std::vector<float> logits = LogitsOf({0.5, 0.3, 0.2});
  Sampler s({.temperature = 1.0f, .seed = 7}, 3);
  std::vector<int> counts(3);
  const int n = 20000;
  for (int i = 0; i < n; ++i) ++counts[static_cast<size_t>(s.Sample(logits.data(), {}).token)];
  // Binomial standard deviation at p=0.5, n=20000 is 0.0035; 0.015 is > 4 sigma.
  EXPECT_NEAR(counts[0] / double(n), 0.5, 0.015);
  EXPECT_NEAR(counts[1] / double(n), 0.3, 0.015);
  EXPECT_NEAR(counts[2] / double(n), 0.2, 0.015);
}

TEST(Sampler, SameSeedSameTokensOtherSeedOtherTokens) {
  std::vector<float> logits(50, 0.0f);  // uniform
  auto draw = [&](uint64_t seed) {
    Sampler s({.temperature = 1.0f, .seed = seed}, 50);
    std::vector<int32_t> ids;
    for (int i = 0; i < 32; ++i) ids.push_back(s.Sample(logits.data(), {}).token);
    return ids;
  };
  EXPECT_EQ(draw(1), draw(1));
  EXPECT_NE(draw(1), draw(2));
}

TEST(Sampler, TruncationsLeaveOnlyTheTopToken) {
  std::vector<float> logits = LogitsOf({0.2, 0.45, 0.35});
  for (SamplingParams p : {SamplingParams{.temperature = 5.0f, .top_k = 1},
                           SamplingParams{.temperature = 5.0f, .top_p = 0.4f},
                           SamplingParams{.temperature = 5.0f, .min_p = 0.9f}}) {
    Sampler s(p, 3);
    for (int i = 0; i < 200; ++i) ASSERT_EQ(s.Sample(logits.data(), {}).token, 1);
  }
  // top_p = 0.7 keeps tokens 1 and 2 (0.45 + 0.35 >= 0.7), never token 0.
  Sampler s({.temperature = 1.0f, .top_p = 0.7f, .seed = 3}, 3);
  std::vector<int> counts(3);
  for (int i = 0; i < 2000; ++i) ++counts[static_cast<size_t>(s.Sample(logits.data(), {}).token)];
  EXPECT_EQ(counts[0], 0);
  EXPECT_GT(counts[1], 0);
  EXPECT_GT(counts[2], 0);
}

TEST(Sampler, PenaltiesSteerAwayFromRecentTokens) {
  std::vector<float> logits = {1.0f, 2.0f, 1.9f};
  std::vector<int32_t> history = {1, 1};
  Sampler rep({.repetition_penalty = 1.2f}, 3);  // 2 / 1.2 = 1.67 < 1.9
  EXPECT_EQ(rep.Sample(logits.data(), history).token, 2);
  Sampler freq({.frequency_penalty = 0.06f}, 3);  // 2 - 2 * 0.06 = 1.88 < 1.9
  EXPECT_EQ(freq.Sample(logits.data(), history).token, 2);
  Sampler pres({.presence_penalty = 0.05f}, 3);  // 2 - 0.05 = 1.95 > 1.9
  EXPECT_EQ(pres.Sample(logits.data(), history).token, 1);
  Sampler outside({.repetition_penalty = 1.2f, .penalty_last_n = 1}, 3);
  std::vector<int32_t> old = {1, 0};  // the 1 is outside the window of 1
  EXPECT_EQ(outside.Sample(logits.data(), old).token, 1);
}

TEST(Sampler, ValidationNamesTheField) {
  EXPECT_TRUE(ValidateSamplingParams({}).ok());
  auto s = ValidateSamplingParams({.top_p = 0.0f});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("top_p"), std::string::npos);
  EXPECT_FALSE(ValidateSamplingParams({.temperature = -1.0f}).ok());
  EXPECT_FALSE(ValidateSamplingParams({.temperature = NAN}).ok());
  EXPECT_FALSE(ValidateSamplingParams({.n_logprobs = 21}).ok());
}

}  // namespace
}  // namespace engram::engine
