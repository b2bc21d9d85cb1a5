// Single-KV-head causal attention (MLA's absorbed form) with AVX2 + FMA. All query heads share the
// one key/value head, so heads are processed 4 at a time and every key and value row is loaded once
// per group (register tiles: 2 keys x 4 heads for scores, 4 heads x 16 dims for values); float
// accumulation, max-subtracted softmax. See ops.h: AttentionSingleKv.
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

}  // namespace

namespace {

constexpr int kHeads = 4;  // query heads processed together: each key and value row is loaded once

// Attention of up to kHeads query heads of one token (q: [hb, d_k]) over kv rows [0, visible).
// Scores: 2 keys x 4 heads of accumulators per 8 dims; values: 4 heads x 16 dims of accumulators
// per key. Missing heads (hb < 4) reuse head 0's query and their results are dropped.
void AttendHeads(const float* q, int hb, int64_t d_k, const float* kv, int64_t visible, int64_t d_v, float scale,
                 float* out, float* scores /* [kHeads][visible] */) {
  const float* qh[kHeads];
  for (int h = 0; h < kHeads; ++h) qh[h] = q + (h < hb ? h : 0) * d_k;
  int64_t j = 0;
  for (; j + 2 <= visible; j += 2) {
    const float* k0 = kv + j * d_k;
    const float* k1 = k0 + d_k;
    __m256 a[2][kHeads];
    for (auto& row : a) for (auto& v : row) v = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= d_k; i += 8) {
      const __m256 x0 = _mm256_loadu_ps(k0 + i), x1 = _mm256_loadu_ps(k1 + i);
      for (int h = 0; h < kHeads; ++h) {
        const __m256 qv = _mm256_loadu_ps(qh[h] + i);
        a[0][h] = _mm256_fmadd_ps(qv, x0, a[0][h]);
        a[1][h] = _mm256_fmadd_ps(qv, x1, a[1][h]);
      }
    }
    for (int h = 0; h < kHeads; ++h) {
      float s0 = HorizontalSum(a[0][h]), s1 = HorizontalSum(a[1][h]);
      for (int64_t t = i; t < d_k; ++t) {
        s0 += qh[h][t] * k0[t];
        s1 += qh[h][t] * k1[t];
      }
      scores[h * visible + j] = s0 * scale;
      scores[h * visible + j + 1] = s1 * scale;
    }
  }
  for (; j < visible; ++j) {
    for (int h = 0; h < kHeads; ++h) scores[h * visible + j] = Dot(qh[h], kv + j * d_k, d_k) * scale;
  }
  // Softmax per head; the 1/sum is folded into the weights.
  for (int h = 0; h < kHeads; ++h) {
    float* sc = scores + h * visible;
    float mx = -INFINITY;
    for (int64_t t = 0; t < visible; ++t) mx = std::max(mx, sc[t]);
    float sum = 0.0f;
    for (int64_t t = 0; t < visible; ++t) sum += sc[t] = std::exp(sc[t] - mx);
    const float inv = 1.0f / sum;
    for (int64_t t = 0; t < visible; ++t) sc[t] *= inv;
  }
  // out[h] = sum_j p[h][j] v_j, 16 dims at a time for all heads.
  int64_t c = 0;
  for (; c + 16 <= d_v; c += 16) {
    __m256 o[kHeads][2];
    for (auto& row : o) for (auto& v : row) v = _mm256_setzero_ps();
    for (int64_t t = 0; t < visible; ++t) {
      const float* v = kv + t * d_k + c;
      const __m256 v0 = _mm256_loadu_ps(v), v1 = _mm256_loadu_ps(v + 8);
      for (int h = 0; h < kHeads; ++h) {
        const __m256 p = _mm256_broadcast_ss(scores + h * visible + t);
        o[h][0] = _mm256_fmadd_ps(p, v0, o[h][0]);
        o[h][1] = _mm256_fmadd_ps(p, v1, o[h][1]);
      }
    }
    for (int h = 0; h < hb; ++h) {
      _mm256_storeu_ps(out + h * d_v + c, o[h][0]);
      _mm256_storeu_ps(out + h * d_v + c + 8, o[h][1]);
    }
  }
  for (int h = 0; h < hb; ++h) {
    for (int64_t d = c; d < d_v; ++d) {
      float acc = 0.0f;
      for (int64_t t = 0; t < visible; ++t) acc += scores[h * visible + t] * kv[t * d_k + d];
      out[h * d_v + d] = acc;
    }
  }
}

}  // namespace

void AttentionSingleKvAvx2(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                           int64_t d_v, int64_t pos0, float scale, float* out) {
  std::vector<float> scores(static_cast<size_t>(kHeads * n_kv));  // [kHeads][n_kv]
  for (int64_t t = 0; t < n_q; ++t) {
    const int64_t visible = std::min<int64_t>(n_kv, pos0 + t + 1);
    for (int64_t h = 0; h < n_head; h += kHeads) {
      const int hb = static_cast<int>(std::min<int64_t>(kHeads, n_head - h));
      AttendHeads(q + (t * n_head + h) * d_k, hb, d_k, kv, visible, d_v, scale, out + (t * n_head + h) * d_v,
                  scores.data());
    }
  }
}

}  // namespace engram::kernels
