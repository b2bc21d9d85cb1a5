#include "engine/kv_cache/latent_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/fp8.h"
#include "kernels/quant_blocks.h"

namespace engram::engine {
namespace {

constexpr int64_t kFp8Block = 64;

int64_t Fp8Blocks(int64_t kv_lora) { return (kv_lora + kFp8Block - 1) / kFp8Block; }

}  // namespace

std::string_view KvTypeName(KvType t) {
  switch (t) {
    case KvType::kF32: return "f32";
    case KvType::kF16: return "f16";
    case KvType::kBF16: return "bf16";
    case KvType::kFp8: return "fp8";
  }
  return "unknown";
}

std::optional<KvType> KvTypeFromName(std::string_view name) {
  for (KvType t : {KvType::kF32, KvType::kF16, KvType::kBF16, KvType::kFp8}) {
    if (KvTypeName(t) == name) return t;
  }
  return std::nullopt;
}

LatentCache::LatentCache(int64_t n_layer, int64_t kv_lora, int64_t n_rot, int64_t max_tokens, KvType type)
    : kv_lora_(kv_lora), n_rot_(n_rot), max_tokens_(max_tokens), type_(type), layers_(static_cast<size_t>(n_layer)) {
  const int64_t w = kv_lora + n_rot;
  switch (type) {
    case KvType::kF32: row_bytes_ = static_cast<size_t>(w * 4); break;
    case KvType::kF16:
    case KvType::kBF16: row_bytes_ = static_cast<size_t>(w * 2); break;
    case KvType::kFp8: row_bytes_ = static_cast<size_t>(kv_lora + 4 * Fp8Blocks(kv_lora) + 2 * n_rot); break;
  }
}

void LatentCache::EncodeRow(const float* in, uint8_t* out) const {
  const int64_t w = width();
  switch (type_) {
    case KvType::kF32:
      std::memcpy(out, in, static_cast<size_t>(w) * 4);
      return;
    case KvType::kF16:
    case KvType::kBF16:
      for (int64_t i = 0; i < w; ++i) {
        uint16_t h = type_ == KvType::kF16 ? kernels::Fp32ToFp16(in[i]) : kernels::Fp32ToBf16(in[i]);
        std::memcpy(out + 2 * i, &h, 2);
      }
      return;
    case KvType::kFp8: {
      // [kv_lora] e4m3 | [blocks] f32 scales | [n_rot] bf16
      uint8_t* scales = out + kv_lora_;
      for (int64_t b = 0; b < Fp8Blocks(kv_lora_); ++b) {
        const int64_t begin = b * kFp8Block, end = std::min(kv_lora_, begin + kFp8Block);
        float amax = 0.0f;
        for (int64_t i = begin; i < end; ++i) amax = std::max(amax, std::fabs(in[i]));
        const float scale = amax > 0.0f ? amax / kernels::kFp8E4M3Max : 1.0f;
        std::memcpy(scales + 4 * b, &scale, 4);
        for (int64_t i = begin; i < end; ++i) out[i] = kernels::Fp32ToFp8E4M3(in[i] / scale);
      }
      uint8_t* rope = scales + 4 * Fp8Blocks(kv_lora_);
      for (int64_t i = 0; i < n_rot_; ++i) {
        uint16_t h = kernels::Fp32ToBf16(in[kv_lora_ + i]);
        std::memcpy(rope + 2 * i, &h, 2);
      }
      return;
    }
  }
}

void LatentCache::DecodeRow(const uint8_t* in, float* out) const {
  const int64_t w = width();
  switch (type_) {
    case KvType::kF32:
      std::memcpy(out, in, static_cast<size_t>(w) * 4);
      return;
    case KvType::kF16:
    case KvType::kBF16:
      for (int64_t i = 0; i < w; ++i) {
        uint16_t h;
        std::memcpy(&h, in + 2 * i, 2);
        out[i] = type_ == KvType::kF16 ? kernels::Fp16ToFp32(h) : kernels::Bf16ToFp32(h);
      }
      return;
    case KvType::kFp8: {
      const uint8_t* scales = in + kv_lora_;
      for (int64_t i = 0; i < kv_lora_; ++i) {
        float scale;
        std::memcpy(&scale, scales + 4 * (i / kFp8Block), 4);
        out[i] = kernels::Fp8E4M3ToFp32(in[i]) * scale;
      }
      const uint8_t* rope = scales + 4 * Fp8Blocks(kv_lora_);
      for (int64_t i = 0; i < n_rot_; ++i) {
        uint16_t h;
        std::memcpy(&h, rope + 2 * i, 2);
        out[kv_lora_ + i] = kernels::Bf16ToFp32(h);
      }
      return;
    }
  }
}

void LatentCache::Store(int64_t layer, const float* rows, int64_t n) {
  std::vector<uint8_t>& bytes = layers_[static_cast<size_t>(layer)];
  bytes.resize(static_cast<size_t>(n_tokens_ + n) * row_bytes_);
  for (int64_t t = 0; t < n; ++t) {
    EncodeRow(rows + t * width(), bytes.data() + static_cast<size_t>(n_tokens_ + t) * row_bytes_);
  }
}

const float* LatentCache::View(int64_t layer, int64_t n_rows) {
  const std::vector<uint8_t>& bytes = layers_[static_cast<size_t>(layer)];
  if (type_ == KvType::kF32) return reinterpret_cast<const float*>(bytes.data());
  scratch_.resize(static_cast<size_t>(n_rows * width()));
  for (int64_t t = 0; t < n_rows; ++t) DecodeRow(bytes.data() + static_cast<size_t>(t) * row_bytes_, scratch_.data() + t * width());
  return scratch_.data();
}

void LatentCache::Truncate(int64_t n) {
  if (n >= n_tokens_) return;
  n_tokens_ = n;
  for (auto& bytes : layers_) bytes.resize(static_cast<size_t>(n) * row_bytes_);
}

}  // namespace engram::engine
