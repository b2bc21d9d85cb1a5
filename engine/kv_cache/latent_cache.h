// The per-sequence KV cache of MLA models: one row per token per layer holding the compressed
// latent c (kv_lora_rank floats, after its RMSNorm) followed by the RoPE'd shared key k_pe (n_rot
// floats). With absorbed MLA, attention needs nothing else: K = [c, k_pe] and V = c.
//
//   LatentCache cache(n_layer, kv_lora + n_rot, max_tokens);
//   float* rows = cache.Append(layer, n);   // [n, width], filled by the layer
//   const float* all = cache.Rows(layer);   // [cache.size() + n, width] while the step runs
//   cache.Commit(n);                        // after every layer has appended its n rows
//
// Storage is F32 for now. Not thread-safe: one sequence is stepped by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace engram::engine {

class LatentCache {
 public:
  LatentCache(int64_t n_layer, int64_t width, int64_t max_tokens);

  int64_t size() const { return n_tokens_; }
  int64_t width() const { return width_; }
  int64_t max_tokens() const { return max_tokens_; }
  int64_t bytes_per_token() const { return static_cast<int64_t>(layers_.size()) * width_ * 4; }

  // Rows for tokens [size(), size() + n) of `layer`; valid until the next Append on that layer.
  float* Append(int64_t layer, int64_t n);
  const float* Rows(int64_t layer) const { return layers_[static_cast<std::size_t>(layer)].data(); }
  void Commit(int64_t n) { n_tokens_ += n; }
  // Drops tokens from `n` on (n <= size()).
  void Truncate(int64_t n);

 private:
  int64_t width_;
  int64_t max_tokens_;
  int64_t n_tokens_ = 0;
  std::vector<std::vector<float>> layers_;  // [n_layer][n_tokens * width]
};

}  // namespace engram::engine
