// AttentionSingleKv: every variant against the reference (double accumulation), and the reference
// against a hand-computed case.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/simd.h"
#include "kernels/ops.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

TEST(AttentionSingleKvRef, HandComputedTwoKeys) {
  // One query [1, 0]; keys [1, 0] (value 1) and [0, 1] (value 3); scale 1: weights softmax(1, 0).
  const float q[2] = {1, 0};
  const float kv[4] = {1, 0, 0, 1};
  float out[1];
  AttentionSingleKvRef(q, 1, 1, 2, kv, 2, 1, 1, 1.0f, out);
  const double e = std::exp(1.0);
  EXPECT_NEAR(out[0], (e * 1 + 1 * 0) / (e + 1), 1e-6);
  // Causality: at position 0 only the first key is visible.
  AttentionSingleKvRef(q, 1, 1, 2, kv, 2, 1, 0, 1.0f, out);
  EXPECT_NEAR(out[0], 1.0f, 1e-6);
}

struct Shape {
  int64_t n_q, n_head, d_k, d_v, n_kv, pos0;
};

class AttentionVariants : public ::testing::TestWithParam<Shape> {};

void Check(decltype(&AttentionSingleKvRef) fn, const Shape& s) {
  std::mt19937 rng(11);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> q(static_cast<size_t>(s.n_q * s.n_head * s.d_k)), kv(static_cast<size_t>(s.n_kv * s.d_k));
  for (auto& v : q) v = dist(rng);
  for (auto& v : kv) v = dist(rng);
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.d_k));
  std::vector<float> want(static_cast<size_t>(s.n_q * s.n_head * s.d_v)), got(want.size(), NAN);
  AttentionSingleKvRef(q.data(), s.n_q, s.n_head, s.d_k, kv.data(), s.n_kv, s.d_v, s.pos0, scale, want.data());
  fn(q.data(), s.n_q, s.n_head, s.d_k, kv.data(), s.n_kv, s.d_v, s.pos0, scale, got.data());
  // Outputs are convex combinations of N(0, 1) values; float vs double scores and sums: 2e-5.
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 2e-5) << i;
}

TEST_P(AttentionVariants, DispatchedMatchesRef) { Check(AttentionSingleKv, GetParam()); }

TEST_P(AttentionVariants, Avx2MatchesRef) {
  const CpuFeatures& f = GetCpuFeatures();
  if (!(f.avx2 && f.fma)) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  Check(AttentionSingleKvAvx2, GetParam());
}

TEST_P(AttentionVariants, Avx512MatchesRef) {
  const CpuFeatures& f = GetCpuFeatures();
  if (!(f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni)) GTEST_SKIP() << "no AVX-512 on this CPU";
  Check(AttentionSingleKvAvx512, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionVariants,
                         ::testing::Values(Shape{1, 1, 2, 1, 1, 0}, Shape{3, 4, 80, 64, 10, 7},
                                           Shape{5, 2, 19, 13, 5, 0}, Shape{1, 16, 576, 512, 300, 299},
                                           Shape{4, 3, 33, 17, 40, 20}));

}  // namespace
}  // namespace engram::kernels
