// MatMul: every variant the dispatcher can pick against MatMulRef, over weight types, odd token
// counts and row ranges (tails), and the activation packing against hand-checked facts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/simd.h"
#include "kernels/ops.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

struct Case {
  DType type;
  int64_t rows, cols, n;
};

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

using MatMulFn = void (*)(const MatrixView&, const void*, int64_t, float*, int64_t, int64_t);

// Checks `fn` against the reference. Bound: 1e-5 of sum |w x| (float vs double accumulation of
// exactly the same products), per output.
void CheckAgainstRef(MatMulFn fn, const Case& c) {
  const size_t w_row = static_cast<size_t>(RowBytes(c.type, c.cols));
  std::vector<float> wf = Random(static_cast<size_t>(c.rows * c.cols), 1), xf = Random(static_cast<size_t>(c.n * c.cols), 2);
  std::vector<uint8_t> wq(w_row * static_cast<size_t>(c.rows));
  for (int64_t r = 0; r < c.rows; ++r) QuantizeRowRef(c.type, wf.data() + r * c.cols, wq.data() + r * w_row, c.cols);
  const DType act = ActivationType(c.type);
  std::vector<uint8_t> xq(static_cast<size_t>(RowBytes(act, c.cols)) * static_cast<size_t>(c.n));
  PackActivationsRef(c.type, xf.data(), c.n, c.cols, xq.data());
  MatrixView w{c.type, wq.data(), c.rows, c.cols, w_row};
  std::vector<float> want(static_cast<size_t>(c.n * c.rows), NAN), got(want.size(), NAN);
  MatMulRef(w, xq.data(), c.n, want.data(), 0, c.rows);
  // Two row ranges, as two threads would split them.
  const int64_t mid = c.rows / 3;
  fn(w, xq.data(), c.n, got.data(), 0, mid);
  fn(w, xq.data(), c.n, got.data(), mid, c.rows);
  // Scale of each output: sum |w x| with the values the dot sees.
  std::vector<float> wd(static_cast<size_t>(c.cols)), xd(static_cast<size_t>(c.cols));
  for (int64_t t = 0; t < c.n; ++t) {
    DequantizeRowRef(act, xq.data() + static_cast<size_t>(t) * static_cast<size_t>(RowBytes(act, c.cols)), xd.data(), c.cols);
    for (int64_t r = 0; r < c.rows; ++r) {
      DequantizeRowRef(c.type, wq.data() + r * w_row, wd.data(), c.cols);
      double scale = 0.0;
      for (int64_t i = 0; i < c.cols; ++i) scale += std::fabs(double(wd[static_cast<size_t>(i)]) * xd[static_cast<size_t>(i)]);
      const size_t o = static_cast<size_t>(t * c.rows + r);
      ASSERT_NEAR(got[o], want[o], 1e-5 * scale + 1e-6) << DTypeName(c.type) << " t=" << t << " r=" << r;
    }
  }
}

class MatMulVariants : public ::testing::TestWithParam<Case> {};

TEST_P(MatMulVariants, DispatchedMatchesRef) { CheckAgainstRef(MatMul, GetParam()); }

TEST_P(MatMulVariants, Avx2MatchesRef) {
  const CpuFeatures& f = GetCpuFeatures();
  if (!(f.avx2 && f.fma && f.f16c)) GTEST_SKIP() << "no AVX2/FMA/F16C on this CPU";
  CheckAgainstRef(MatMulAvx2, GetParam());
}

TEST_P(MatMulVariants, Avx512MatchesRef) {
  const CpuFeatures& f = GetCpuFeatures();
  if (!(f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni && f.avx2 && f.fma && f.f16c)) {
    GTEST_SKIP() << "no AVX-512 VNNI on this CPU";
  }
  CheckAgainstRef(MatMulAvx512, GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Types, MatMulVariants,
    ::testing::Values(Case{DType::kF32, 7, 37, 3}, Case{DType::kF32, 5, 1, 1}, Case{DType::kF16, 6, 64, 2},
                      Case{DType::kBF16, 6, 96, 2}, Case{DType::kQ8_0, 9, 32, 1}, Case{DType::kQ8_0, 13, 320, 5}, Case{DType::kQ8_0, 6, 1536, 9},
                      Case{DType::kQ4_0, 5, 96, 3}, Case{DType::kQ4_1, 5, 64, 2}, Case{DType::kQ5_0, 5, 64, 2},
                      Case{DType::kQ5_1, 5, 64, 2}, Case{DType::kQ4_K, 7, 256, 1}, Case{DType::kQ4_K, 5, 768, 4},
                      Case{DType::kQ5_K, 5, 512, 2}, Case{DType::kQ6_K, 7, 256, 1}, Case{DType::kQ6_K, 5, 768, 3}),
    [](const ::testing::TestParamInfo<Case>& p) {
      char name[64];
      std::snprintf(name, sizeof name, "%s_r%lld_c%lld_n%lld", std::string(DTypeName(p.param.type)).c_str(),
                    static_cast<long long>(p.param.rows), static_cast<long long>(p.param.cols),
                    static_cast<long long>(p.param.n));
      return std::string(name);
    });

TEST(PackActivations, UsesTheDotProductCompanionFormat) {
  EXPECT_EQ(ActivationType(DType::kQ8_0), DType::kQ8_0);
  EXPECT_EQ(ActivationType(DType::kQ4_1), DType::kQ8_1);
  EXPECT_EQ(ActivationType(DType::kQ4_K), DType::kQ8_K);
  EXPECT_EQ(ActivationType(DType::kQ6_K), DType::kQ8_K);
  EXPECT_EQ(ActivationType(DType::kF32), DType::kF32);
  // f32: a plain copy.
  std::vector<float> x = Random(40, 3), packed(40);
  PackActivations(DType::kF32, x.data(), 2, 20, packed.data());
  EXPECT_EQ(x, packed);
  // q8_0: amax / 127 per 32 values; the largest magnitude maps to +-127.
  std::vector<float> row(32, 0.5f);
  row[7] = -2.0f;
  std::vector<uint8_t> q(34);
  PackActivations(DType::kQ8_0, row.data(), 1, 32, q.data());
  EXPECT_EQ(static_cast<int8_t>(q[2 + 7]), -127);
  EXPECT_EQ(static_cast<int8_t>(q[2 + 0]), 32);  // round(0.5 / (2 / 127)) = round(31.75)
}

// The AVX2 packer must produce the reference's bytes exactly, ties included.
TEST(PackActivations, Avx2IsBitExactWithRef) {
  const CpuFeatures& f = GetCpuFeatures();
  if (!(f.avx2 && f.fma && f.f16c)) GTEST_SKIP() << "no AVX2 on this CPU";
  for (DType weight : {DType::kQ8_0, DType::kQ4_K, DType::kQ6_K, DType::kQ4_1, DType::kF16}) {
    const int64_t cols = 512, n = 3;
    std::vector<float> x = Random(static_cast<size_t>(n * cols), 9);
    // Exact ties: a block whose amax is 127 makes id = 1, so x = k + 0.5 lands on a tie.
    for (int i = 0; i < 32; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i % 7) - 3.5f;
    x[5] = 127.0f;
    const DType act = ActivationType(weight);
    std::vector<uint8_t> want(static_cast<size_t>(RowBytes(act, cols) * n)), got(want.size(), 0xAA);
    PackActivationsRef(weight, x.data(), n, cols, want.data());
    PackActivationsAvx2(weight, x.data(), n, cols, got.data());
    EXPECT_EQ(got, want) << DTypeName(weight);
  }
}

}  // namespace
}  // namespace engram::kernels
