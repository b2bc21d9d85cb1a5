// The per-sequence KV cache of MLA models: one row per token per layer holding the compressed
// latent c (kv_lora_rank values, after its RMSNorm) followed by the RoPE'd shared key k_pe (n_rot
// values). With absorbed MLA, attention needs nothing else: K = [c, k_pe] and V = c.
//
//   LatentCache cache(n_layer, kv_lora, n_rot, max_tokens, KvType::kFp8);
//   cache.Store(layer, rows, n);                  // rows: [n, width] floats of tokens size()..+n
//   const float* all = cache.View(layer, size() + n);  // [size() + n, width], decoded
//   cache.Commit(n);                              // after every layer has stored its n rows
//
// Storage types and bytes per token per layer (width = kv_lora + n_rot):
//   f32:  4 * width;  f16 / bf16: 2 * width;
//   fp8:  c as E4M3 with one f32 scale (amax / 448) per 64 values, k_pe as bf16 (positional
//         detail is kept at higher precision, as DeepSeek-V4's cache does):
//         kv_lora + 4 * ceil(kv_lora / 64) + 2 * n_rot.
// View() decodes into a scratch buffer for the non-f32 types: the values attention sees are the
// stored ones, for old and new tokens alike, so batch and token-at-a-time runs agree.
// Not thread-safe: one sequence is stepped by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace engram::engine {

enum class KvType { kF32, kF16, kBF16, kFp8 };
std::string_view KvTypeName(KvType t);                      // "f32", "f16", "bf16", "fp8"
std::optional<KvType> KvTypeFromName(std::string_view name);

class LatentCache {
 public:
  LatentCache(int64_t n_layer, int64_t kv_lora, int64_t n_rot, int64_t max_tokens, KvType type);

  int64_t size() const { return n_tokens_; }
  int64_t width() const { return kv_lora_ + n_rot_; }
  int64_t max_tokens() const { return max_tokens_; }
  KvType type() const { return type_; }
  int64_t bytes_per_token() const { return static_cast<int64_t>(layers_.size()) * row_bytes_; }

  // Encodes rows [n, width] as tokens [size(), size() + n) of `layer`.
  void Store(int64_t layer, const float* rows, int64_t n);
  // Rows [0, n_rows) of `layer` as floats; valid until the next View or Store.
  const float* View(int64_t layer, int64_t n_rows);
  void Commit(int64_t n) { n_tokens_ += n; }
  // Drops tokens from `n` on (n <= size()).
  void Truncate(int64_t n);

 private:
  void EncodeRow(const float* in, uint8_t* out) const;
  void DecodeRow(const uint8_t* in, float* out) const;

  int64_t kv_lora_, n_rot_, max_tokens_;
  KvType type_;
  size_t row_bytes_;
  int64_t n_tokens_ = 0;
  std::vector<std::vector<uint8_t>> layers_;  // [n_layer][n_tokens * row_bytes_]
  std::vector<float> scratch_;                // decoded rows for View()
};

}  // namespace engram::engine
