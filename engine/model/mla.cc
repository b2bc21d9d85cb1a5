#include "engine/model/mla.h"

#include <algorithm>

#include "engine/model/weights.h"
#include "kernels/ops.h"

namespace engram::engine {

void MlaForward(ThreadPool* pool, const MlaConfig& cfg, const MlaWeights& w, const float* x, int64_t n,
                const float* cos_sin, LatentCache* cache, int64_t layer, float* out) {
  const int64_t H = cfg.n_head, nope = cfg.qk_nope, rope = cfg.qk_rope, lora = cfg.kv_lora_rank;
  const int64_t d_head = nope + rope;  // query row per head
  const int64_t d_lat = lora + rope;   // latent cache row (= key row)
  const int64_t pos0 = cache->size();

  // Queries: [n, H, nope + rope].
  // The projections of x in one pass: the query (its LoRA down-projection, or W_q) and the latent.
  std::vector<float> q(static_cast<size_t>(n * H * d_head));
  std::vector<float> lat(static_cast<size_t>(n * d_lat));  // [n, kv_lora + rope]
  if (cfg.q_lora_rank > 0) {
    std::vector<float> qa(static_cast<size_t>(n * cfg.q_lora_rank));  // [n, q_lora]
    const LinearJob down[2] = {{w.q_a, x, n, qa.data()}, {w.kv_a, x, n, lat.data()}};
    LinearMany(pool, down);
    kernels::RmsNorm(qa.data(), w.q_a_norm.data(), qa.data(), n, cfg.q_lora_rank, cfg.rms_eps);
    Linear(pool, w.q_b, qa.data(), n, q.data());
  } else {
    const LinearJob proj[2] = {{w.q_b, x, n, q.data()}, {w.kv_a, x, n, lat.data()}};
    LinearMany(pool, proj);
  }

  // Latent rows for the new tokens: [RMSNorm(c), RoPE(k_pe)].
  for (int64_t t = 0; t < n; ++t) {
    float* row = lat.data() + t * d_lat;
    kernels::RmsNorm(row, w.kv_a_norm.data(), row, 1, lora, cfg.rms_eps);
    kernels::RotatePairs(row + lora, cos_sin + t * rope, rope / 2);
  }
  cache->Store(layer, lat.data(), n);

  // Absorbed queries: [n, H, kv_lora + rope] = [k_b[h] q_nope, RoPE(q_pe)]; all heads in one pass.
  std::vector<float> q_nope(static_cast<size_t>(H * n * nope)), q_abs(static_cast<size_t>(H * n * lora));  // [H, n, .]
  std::vector<LinearJob> jobs;
  for (int64_t h = 0; h < H; ++h) {
    for (int64_t t = 0; t < n; ++t) {
      std::copy_n(q.data() + (t * H + h) * d_head, nope, q_nope.data() + (h * n + t) * nope);
    }
    jobs.push_back({w.k_b.RowRange(h * lora, lora), q_nope.data() + h * n * nope, n, q_abs.data() + h * n * lora});
  }
  LinearMany(pool, jobs);
  std::vector<float> qa(static_cast<size_t>(n * H * d_lat));
  for (int64_t h = 0; h < H; ++h) {
    for (int64_t t = 0; t < n; ++t) {
      float* dst = qa.data() + (t * H + h) * d_lat;
      std::copy_n(q_abs.data() + (h * n + t) * lora, lora, dst);
      std::copy_n(q.data() + (t * H + h) * d_head + nope, rope, dst + lora);
      kernels::RotatePairs(dst + lora, cos_sin + t * rope, rope / 2);
    }
  }

  // Attention over every cached token: output in latent space, [n, H, kv_lora].
  std::vector<float> o_lat(static_cast<size_t>(n * H * lora));
  const int64_t n_kv = pos0 + n;
  const float* kv = cache->View(layer, n_kv);  // as stored: the new tokens went through the cache type too
  // One work item per (token, group of 4 heads): decode (n = 1) still spreads its heads over the
  // threads, and a group shares its key/value loads inside the kernel.
  constexpr int64_t kGroup = 4;
  const int64_t groups = (H + kGroup - 1) / kGroup;
  pool->ParallelFor(n * groups, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t t = i / groups, h = (i % groups) * kGroup, hb = std::min(kGroup, H - h);
      kernels::AttentionSingleKv(qa.data() + (t * H + h) * d_lat, 1, hb, d_lat, kv, n_kv, lora, pos0 + t,
                                 cfg.kq_scale, o_lat.data() + (t * H + h) * lora);
    }
  });

  // Per head out of latent space (all heads in one pass): [n, H * v_head], then the output projection.
  std::vector<float> lat_h(static_cast<size_t>(H * n * lora)), o_h(static_cast<size_t>(H * n * cfg.v_head));  // [H, n, .]
  jobs.clear();
  for (int64_t h = 0; h < H; ++h) {
    for (int64_t t = 0; t < n; ++t) {
      std::copy_n(o_lat.data() + (t * H + h) * lora, lora, lat_h.data() + (h * n + t) * lora);
    }
    jobs.push_back({w.v_b.RowRange(w.v_b_first + h * w.v_b_stride, cfg.v_head), lat_h.data() + h * n * lora, n,
                    o_h.data() + h * n * cfg.v_head});
  }
  LinearMany(pool, jobs);
  std::vector<float> o(static_cast<size_t>(n * H * cfg.v_head));
  for (int64_t h = 0; h < H; ++h) {
    for (int64_t t = 0; t < n; ++t) {
      std::copy_n(o_h.data() + (h * n + t) * cfg.v_head, cfg.v_head, o.data() + (t * H + h) * cfg.v_head);
    }
  }
  Linear(pool, w.out, o.data(), n, out);
}

}  // namespace engram::engine
