// Single-KV-head causal attention (MLA's absorbed form) with AVX2 + FMA: float dot products for the
// scores, a max-subtracted softmax, and FMA accumulation of value rows. See ops.h: AttentionSingleKv.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/simd.h"

namespace engram::kernels {
namespace {

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float Dot(const float* a, const float* b, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  float s = HorizontalSum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

// out[0..n) += p * v[0..n)
inline void Axpy(float p, const float* v, float* out, int64_t n) {
  const __m256 pv = _mm256_set1_ps(p);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_fmadd_ps(pv, _mm256_loadu_ps(v + i), _mm256_loadu_ps(out + i)));
  for (; i < n; ++i) out[i] += p * v[i];
}

}  // namespace

void AttentionSingleKvAvx2(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                           int64_t d_v, int64_t pos0, float scale, float* out) {
  std::vector<float> scores(static_cast<size_t>(n_kv));  // [n_kv]
  for (int64_t t = 0; t < n_q; ++t) {
    const int64_t visible = std::min<int64_t>(n_kv, pos0 + t + 1);
    for (int64_t h = 0; h < n_head; ++h) {
      const float* qh = q + (t * n_head + h) * d_k;
      float mx = -INFINITY;
      for (int64_t j = 0; j < visible; ++j) {
        scores[static_cast<size_t>(j)] = Dot(qh, kv + j * d_k, d_k) * scale;
        mx = std::max(mx, scores[static_cast<size_t>(j)]);
      }
      float sum = 0.0f;
      for (int64_t j = 0; j < visible; ++j) sum += scores[static_cast<size_t>(j)] = std::exp(scores[static_cast<size_t>(j)] - mx);
      const float inv = 1.0f / sum;
      float* oh = out + (t * n_head + h) * d_v;
      std::fill(oh, oh + d_v, 0.0f);
      for (int64_t j = 0; j < visible; ++j) Axpy(scores[static_cast<size_t>(j)] * inv, kv + j * d_k, oh, d_v);
    }
  }
}

}  // namespace engram::kernels
