// Activation packing (PackActivations) with AVX2 for the formats matmuls use most, q8_0 and q8_K.
// Bit for bit the reference's output: the same scale arithmetic, and roundf's ties-away-from-zero
// rounding rebuilt from truncation (the remainder v - trunc(v) is exact). Other formats use the
// reference packer.
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/simd.h"
#include "kernels/quant_blocks.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

inline float AbsMax(const float* x, int n) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 m = _mm256_setzero_ps();
  for (int i = 0; i < n; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)));
  __m128 r = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  r = _mm_max_ps(r, _mm_movehl_ps(r, r));
  r = _mm_max_ss(r, _mm_movehdup_ps(r));
  return _mm_cvtss_f32(r);
}

// roundf(x[i] * id) for 8 lanes, as int32.
inline __m256i RoundAway(const float* x, __m256 id) {
  const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x), id);
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 frac = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), _mm256_sub_ps(v, t));
  const __m256 away = _mm256_and_ps(_mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ),
                                    _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(v, _mm256_set1_ps(-0.0f))));
  return _mm256_cvttps_epi32(_mm256_add_ps(t, away));
}

// 32 floats -> 32 int8 (values already within [-127, 127]).
inline void Quantize32(const float* x, __m256 id, int8_t* out) {
  const __m256i a = _mm256_packs_epi32(RoundAway(x, id), RoundAway(x + 8, id));
  const __m256i b = _mm256_packs_epi32(RoundAway(x + 16, id), RoundAway(x + 24, id));
  const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(a, b), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), bytes);
}

void PackQ8_0(const float* x, int64_t cols, uint8_t* dst) {
  for (int64_t i = 0; i < cols / kQK; ++i) {
    const float* xb = x + i * kQK;
    const float d = AbsMax(xb, kQK) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_0 b;
    b.d = Fp32ToFp16(d);
    Quantize32(xb, _mm256_set1_ps(id), b.qs);
    std::memcpy(dst + i * sizeof(BlockQ8_0), &b, sizeof b);
  }
}

void PackQ8_K(const float* x, int64_t cols, uint8_t* dst) {
  for (int64_t i = 0; i < cols / kQK_K; ++i) {
    const float* xb = x + i * kQK_K;
    BlockQ8_K b;
    b.d = AbsMax(xb, kQK_K) / 127.0f;
    const float id = b.d != 0.0f ? 1.0f / b.d : 0.0f;
    for (int c = 0; c < kQK_K / 32; ++c) Quantize32(xb + 32 * c, _mm256_set1_ps(id), b.qs + 32 * c);
    for (int j = 0; j < kQK_K / 16; ++j) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += b.qs[16 * j + l];
      b.bsums[j] = static_cast<int16_t>(sum);
    }
    std::memcpy(dst + i * sizeof(BlockQ8_K), &b, sizeof b);
  }
}

}  // namespace

void PackActivationsAvx2(DType weight, const float* x, int64_t n, int64_t cols, void* dst) {
  const DType act = ActivationType(weight);
  if (act != DType::kQ8_0 && act != DType::kQ8_K) {
    PackActivationsRef(weight, x, n, cols, dst);
    return;
  }
  const size_t row_bytes = static_cast<size_t>(RowBytes(act, cols));
  auto* out = static_cast<uint8_t*>(dst);
  for (int64_t t = 0; t < n; ++t) {
    if (act == DType::kQ8_0) {
      PackQ8_0(x + t * cols, cols, out + static_cast<size_t>(t) * row_bytes);
    } else {
      PackQ8_K(x + t * cols, cols, out + static_cast<size_t>(t) * row_bytes);
    }
  }
}

}  // namespace engram::kernels
