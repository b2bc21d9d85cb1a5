// RmsNorm: the reference against a hand-derived case, and every other variant against the reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <random>
#include <vector>

#include "kernels/ops.h"
#include "kernels/ref/ref.h"
#ifdef ENGRAM_HAVE_CUDA
#include "kernels/cuda/cuda_api.h"
#endif

namespace engram::kernels {
namespace {

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

TEST(RmsNormRef, HandComputedRow) {
  // x = [3, 4]: mean(x^2) = 12.5, 1/sqrt(12.5) = 0.28284271; w = [1, 2].
  const float x[2] = {3.0f, 4.0f}, w[2] = {1.0f, 2.0f};
  float y[2];
  RmsNormRef(x, w, y, 1, 2, 0.0f);
  EXPECT_NEAR(y[0], 3.0f * 0.28284271f, 1e-6f);
  EXPECT_NEAR(y[1], 8.0f * 0.28284271f, 1e-6f);
}

TEST(RmsNormRef, ZeroLengthAndAliasing) {
  RmsNormRef(nullptr, nullptr, nullptr, 3, 0, 1e-6f);  // must not touch memory
  std::vector<float> x = Random(2 * 37, 1), w = Random(37, 2), expect(x.size());
  RmsNormRef(x.data(), w.data(), expect.data(), 2, 37, 1e-6f);
  RmsNormRef(x.data(), w.data(), x.data(), 2, 37, 1e-6f);  // in place
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(x[i], expect[i]);
}

struct Shape {
  int64_t rows, n;
};

class RmsNormVariants : public ::testing::TestWithParam<Shape> {};

// The dispatched CPU variant agrees with ref to 1e-5 relative (different summation order only).
TEST_P(RmsNormVariants, DispatchedMatchesRef) {
  const Shape s = GetParam();
  std::vector<float> x = Random(s.rows * s.n, 3), w = Random(s.n, 4), ref(x.size()), got(x.size());
  RmsNormRef(x.data(), w.data(), ref.data(), s.rows, s.n, 1e-6f);
  RmsNorm(x.data(), w.data(), got.data(), s.rows, s.n, 1e-6f);
  for (size_t i = 0; i < ref.size(); ++i) ASSERT_NEAR(got[i], ref[i], 1e-5f * (1.0f + std::fabs(ref[i]))) << i;
}

// The CUDA variant agrees with ref to 1e-5 relative (float vs double accumulation, rsqrtf).
TEST_P(RmsNormVariants, CudaMatchesRef) {
#ifndef ENGRAM_HAVE_CUDA
  GTEST_SKIP() << "CUDA not compiled in";
#else
  if (cuda::DeviceCount() == 0) GTEST_SKIP() << "no GPU on this machine";
  const Shape s = GetParam();
  std::vector<float> x = Random(s.rows * s.n, 5), w = Random(s.n, 6), ref(x.size()), got(x.size(), NAN);
  RmsNormRef(x.data(), w.data(), ref.data(), s.rows, s.n, 1e-6f);
  size_t xb = x.size() * sizeof(float), wb = w.size() * sizeof(float);
  float* dx = static_cast<float*>(cuda::DeviceAlloc(xb + 1));
  float* dw = static_cast<float*>(cuda::DeviceAlloc(wb + 1));
  float* dy = static_cast<float*>(cuda::DeviceAlloc(xb + 1));
  ASSERT_TRUE(dx && dw && dy);
  ASSERT_TRUE(cuda::CopyToDevice(dx, x.data(), xb));
  ASSERT_TRUE(cuda::CopyToDevice(dw, w.data(), wb));
  ASSERT_TRUE(cuda::RmsNormCuda(dx, dw, dy, s.rows, s.n, 1e-6f));
  ASSERT_TRUE(cuda::CopyToHost(got.data(), dy, xb));
  cuda::DeviceFree(dx);
  cuda::DeviceFree(dw);
  cuda::DeviceFree(dy);
  for (size_t i = 0; i < ref.size(); ++i) ASSERT_NEAR(got[i], ref[i], 1e-5f * (1.0f + std::fabs(ref[i]))) << i;
#endif
}

INSTANTIATE_TEST_SUITE_P(Shapes, RmsNormVariants,
                         ::testing::Values(Shape{1, 1}, Shape{1, 7}, Shape{3, 33}, Shape{5, 256}, Shape{2, 1000},
                                           Shape{4, 4099}, Shape{0, 16}),
                         [](const ::testing::TestParamInfo<Shape>& p) {
                           // snprintf, not operator+: g++ 12 -O3 reports a false -Wrestrict there.
                           char name[64];
                           std::snprintf(name, sizeof name, "r%lld_n%lld", static_cast<long long>(p.param.rows),
                                         static_cast<long long>(p.param.n));
                           return std::string(name);
                         });

}  // namespace
}  // namespace engram::kernels
