// Multi-head latent attention (DeepSeek-V2, Liu et al. 2024, §2.1), computed in its absorbed form:
// the per-token cache holds only c = RMSNorm(W_dkv x) (kv_lora_rank) and the shared RoPE key k_pe
// (n_rot); each head's no-RoPE query is mapped into the latent space by W_uk (q_abs = W_uk^T q_nope),
// scores are q_abs·c + q_pe·k_pe, the attention output in latent space is mapped out by W_uv.
// Equal (up to rounding) to the expanded form with K = W_uk c and V = W_uv c.
// Stateless; thread-safe given distinct caches and outputs.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/kv_cache/latent_cache.h"
#include "engine/model/rope.h"
#include "kernels/matrix.h"
#include "support/thread_pool.h"

namespace engram::engine {

struct MlaConfig {
  int64_t n_embd = 0;
  int64_t n_head = 0;
  int64_t q_lora_rank = 0;  // 0: plain W_q
  int64_t kv_lora_rank = 0;
  int64_t qk_nope = 0;
  int64_t qk_rope = 0;
  int64_t v_head = 0;
  float kq_scale = 1.0f;
  float rms_eps = 1e-6f;
};

struct MlaWeights {
  kernels::MatrixView q_a;        // [q_lora, n_embd] (when q_lora_rank > 0)
  std::vector<float> q_a_norm;    // [q_lora]
  kernels::MatrixView q_b;        // [n_head * (nope + rope), q_lora], or W_q [.., n_embd]
  kernels::MatrixView kv_a;       // [kv_lora + rope, n_embd]
  std::vector<float> kv_a_norm;   // [kv_lora]
  kernels::MatrixView k_b;        // n_head stacked [kv_lora, nope]: q_abs = k_b[h] q_nope
  kernels::MatrixView v_b;        // per head [v_head, kv_lora]: rows v_b_first + h * v_b_stride + [0, v_head)
  int64_t v_b_first = 0;
  int64_t v_b_stride = 0;         // rows between heads (v_head for attn_v_b, nope + v_head for attn_kv_b)
  kernels::MatrixView out;        // [n_embd, n_head * v_head]
  std::vector<float> k_b_owned;   // backing store of k_b when derived from an older attn_kv_b
};

// x: [n, n_embd] (already normed); cos_sin: [n, qk_rope] for the n new positions; out: [n, n_embd].
// Stores the n tokens' latent rows in `cache` layer `layer` (the caller commits).
void MlaForward(ThreadPool* pool, const MlaConfig& cfg, const MlaWeights& w, const float* x, int64_t n,
                const float* cos_sin, LatentCache* cache, int64_t layer, float* out);

}  // namespace engram::engine
