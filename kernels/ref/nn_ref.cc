// Small elementwise and row ops: softmax, SwiGLU, RoPE pair rotation, single-KV-head attention.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/ref/ref.h"

namespace engram::kernels {

void SoftmaxRef(float* x, int64_t n) {
  if (n <= 0) return;
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) mx = std::max(mx, x[i]);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void SwiGluRef(const float* gate, const float* up, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void RotatePairsRef(float* x, const float* cos_sin, int64_t n_pairs) {
  for (int64_t i = 0; i < n_pairs; ++i) {
    const float c = cos_sin[2 * i], s = cos_sin[2 * i + 1];
    const float x0 = x[2 * i], x1 = x[2 * i + 1];
    x[2 * i] = x0 * c - x1 * s;
    x[2 * i + 1] = x0 * s + x1 * c;
  }
}

void AttentionSingleKvRef(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                          int64_t d_v, int64_t pos0, float scale, float* out) {
  std::vector<float> scores(static_cast<size_t>(n_kv));  // [n_kv]
  for (int64_t t = 0; t < n_q; ++t) {
    const int64_t visible = std::min<int64_t>(n_kv, pos0 + t + 1);  // causal
    for (int64_t h = 0; h < n_head; ++h) {
      const float* qh = q + (t * n_head + h) * d_k;  // [d_k]
      for (int64_t j = 0; j < visible; ++j) {
        const float* kj = kv + j * d_k;  // [d_k]
        double dot = 0.0;
        for (int64_t c = 0; c < d_k; ++c) dot += static_cast<double>(qh[c]) * kj[c];
        scores[static_cast<size_t>(j)] = static_cast<float>(dot) * scale;
      }
      SoftmaxRef(scores.data(), visible);
      float* oh = out + (t * n_head + h) * d_v;  // [d_v]
      for (int64_t c = 0; c < d_v; ++c) {
        double acc = 0.0;
        for (int64_t j = 0; j < visible; ++j) acc += static_cast<double>(scores[static_cast<size_t>(j)]) * kv[j * d_k + c];
        oh[c] = static_cast<float>(acc);
      }
    }
  }
}

}  // namespace engram::kernels
