#include "engine/kv_cache/latent_cache.h"

namespace engram::engine {

LatentCache::LatentCache(int64_t n_layer, int64_t width, int64_t max_tokens)
    : width_(width), max_tokens_(max_tokens), layers_(static_cast<std::size_t>(n_layer)) {}

float* LatentCache::Append(int64_t layer, int64_t n) {
  std::vector<float>& rows = layers_[static_cast<std::size_t>(layer)];
  rows.resize(static_cast<std::size_t>((n_tokens_ + n) * width_));
  return rows.data() + n_tokens_ * width_;
}

void LatentCache::Truncate(int64_t n) {
  if (n >= n_tokens_) return;
  n_tokens_ = n;
  for (auto& rows : layers_) rows.resize(static_cast<std::size_t>(n * width_));
}

}  // namespace engram::engine
