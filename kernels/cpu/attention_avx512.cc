// Single-KV-head causal attention with AVX-512: the AVX2 kernel's scheme (4 query heads per key and
// value load; 2 keys x 4 heads score tiles; 4 heads x 32 dims value tiles) on 16-float registers.
// See ops.h: AttentionSingleKv.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/simd.h"

namespace engram::kernels {
namespace {

constexpr int kHeads = 4;

void AttendHeads(const float* q, int hb, int64_t d_k, const float* kv, int64_t visible, int64_t d_v, float scale,
                 float* out, float* scores /* [kHeads][visible] */) {
  const float* qh[kHeads];
  for (int h = 0; h < kHeads; ++h) qh[h] = q + (h < hb ? h : 0) * d_k;
  const int64_t d_vec = d_k / 16 * 16;
  int64_t j = 0;
  for (; j + 2 <= visible; j += 2) {
    const float* k0 = kv + j * d_k;
    const float* k1 = k0 + d_k;
    __m512 a[2][kHeads];
    for (auto& row : a) for (auto& v : row) v = _mm512_setzero_ps();
    for (int64_t i = 0; i < d_vec; i += 16) {
      const __m512 x0 = _mm512_loadu_ps(k0 + i), x1 = _mm512_loadu_ps(k1 + i);
      for (int h = 0; h < kHeads; ++h) {
        const __m512 qv = _mm512_loadu_ps(qh[h] + i);
        a[0][h] = _mm512_fmadd_ps(qv, x0, a[0][h]);
        a[1][h] = _mm512_fmadd_ps(qv, x1, a[1][h]);
      }
    }
    for (int h = 0; h < kHeads; ++h) {
      float s0 = _mm512_reduce_add_ps(a[0][h]), s1 = _mm512_reduce_add_ps(a[1][h]);
      for (int64_t t = d_vec; t < d_k; ++t) {
        s0 += qh[h][t] * k0[t];
        s1 += qh[h][t] * k1[t];
      }
      scores[h * visible + j] = s0 * scale;
      scores[h * visible + j + 1] = s1 * scale;
    }
  }
  for (; j < visible; ++j) {
    for (int h = 0; h < kHeads; ++h) {
      float s = 0.0f;
      for (int64_t t = 0; t < d_k; ++t) s += qh[h][t] * kv[j * d_k + t];
      scores[h * visible + j] = s * scale;
    }
  }
  for (int h = 0; h < kHeads; ++h) {
    float* sc = scores + h * visible;
    float mx = -INFINITY;
    for (int64_t t = 0; t < visible; ++t) mx = std::max(mx, sc[t]);
    float sum = 0.0f;
    for (int64_t t = 0; t < visible; ++t) sum += sc[t] = std::exp(sc[t] - mx);
    const float inv = 1.0f / sum;
    for (int64_t t = 0; t < visible; ++t) sc[t] *= inv;
  }
  int64_t c = 0;
  for (; c + 32 <= d_v; c += 32) {
    __m512 o[kHeads][2];
    for (auto& row : o) for (auto& v : row) v = _mm512_setzero_ps();
    for (int64_t t = 0; t < visible; ++t) {
      const float* v = kv + t * d_k + c;
      const __m512 v0 = _mm512_loadu_ps(v), v1 = _mm512_loadu_ps(v + 16);
      for (int h = 0; h < kHeads; ++h) {
        const __m512 p = _mm512_set1_ps(scores[h * visible + t]);
        o[h][0] = _mm512_fmadd_ps(p, v0, o[h][0]);
        o[h][1] = _mm512_fmadd_ps(p, v1, o[h][1]);
      }
    }
    for (int h = 0; h < hb; ++h) {
      _mm512_storeu_ps(out + h * d_v + c, o[h][0]);
      _mm512_storeu_ps(out + h * d_v + c + 16, o[h][1]);
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

void AttentionSingleKvAvx512(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                             int64_t d_v, int64_t pos0, float scale, float* out) {
  std::vector<float> scores(static_cast<size_t>(kHeads * n_kv));
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
