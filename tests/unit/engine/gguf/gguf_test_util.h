// Builders of GGUF images for the gguf tests and the fuzz corpus generator: a small valid model
// made by the Writer, and byte-level encoders to hand-craft images the Writer refuses to make.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "kernels/dtype.h"
#include "kernels/ref/ref.h"

namespace engram::engine::gguf::testing {

inline std::string LeU32(uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}

inline std::string LeU64(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}

// A gguf string: u64 length, bytes.
inline std::string GStr(std::string_view s) { return LeU64(s.size()) + std::string(s); }

// One metadata entry: key, u32 type, already-encoded value bytes.
inline std::string Kv(std::string_view key, uint32_t type, const std::string& value) {
  return GStr(key) + LeU32(type) + value;
}

struct RawTensor {
  std::string name;
  std::vector<uint64_t> dims;
  uint32_t type = 0;
  uint64_t offset = 0;
};

// magic, version, counts, `kvs` (n_kv entries, encoded), tensor infos, zero padding to `alignment`
// (only when there are tensors), then `data`. Nothing is validated: any field may be wrong.
inline std::string RawFile(uint32_t version, uint64_t n_kv, const std::string& kvs,
                           const std::vector<RawTensor>& tensors, const std::string& data,
                           uint64_t alignment = 32) {
  std::string s = "GGUF" + LeU32(version) + LeU64(tensors.size()) + LeU64(n_kv) + kvs;
  for (const RawTensor& t : tensors) {
    s += GStr(t.name) + LeU32(static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) s += LeU64(d);
    s += LeU32(t.type) + LeU64(t.offset);
  }
  if (!tensors.empty()) s.append((alignment - s.size() % alignment) % alignment, '\0');
  return s + data;
}

// Quantized bytes of `values` ([rows, n] row-major) in `type`.
inline std::string QuantizedBytes(kernels::DType type, const std::vector<float>& values,
                                  int64_t n) {
  const int64_t rows = static_cast<int64_t>(values.size()) / n;
  std::string out(static_cast<size_t>(kernels::RowBytes(type, n) * rows), '\0');
  for (int64_t r = 0; r < rows; ++r) {
    kernels::QuantizeRowRef(type, values.data() + r * n,
                            out.data() + r * kernels::RowBytes(type, n), n);
  }
  return out;
}

// Deterministic values in [-1, 1).
inline std::vector<float> Ramp(int64_t n, float phase = 0.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    v[i] = static_cast<float>((i * 37 + static_cast<int64_t>(phase * 101)) % 200) / 100.0f - 1.0f;
  }
  return v;
}

// A small valid model: scalar and array metadata, f32 / q8_0 / q4_K tensors, default alignment.
inline Writer SmallModelWriter() {
  Writer w;
  w.AddString("general.architecture", "deepseek2");
  w.AddString("general.name", "tiny");
  w.AddUint32("deepseek2.block_count", 2);
  w.AddFloat32("deepseek2.attention.layer_norm_rms_epsilon", 1e-6f);
  w.AddBool("deepseek2.expert_weights_norm", true);
  w.AddUint64("deepseek2.context_length", 4096);
  w.AddStringArray("tokenizer.ggml.tokens", {"<s>", "a", "b", "ab"});
  w.AddInt32Array("tokenizer.ggml.token_type", {3, 1, 1, 1});
  w.AddFloat32Array("tokenizer.ggml.scores", {0.0f, -1.0f, -2.0f, -3.0f});
  w.AddTensorF32("output_norm.weight", {8, 2}, Ramp(16));
  w.AddTensor("blk.0.attn_q_a.weight", kernels::DType::kQ8_0, {32, 2},
              QuantizedBytes(kernels::DType::kQ8_0, Ramp(64, 0.3f), 32));
  w.AddTensor("token_embd.weight", kernels::DType::kQ4_K, {256, 1},
              QuantizedBytes(kernels::DType::kQ4_K, Ramp(256, 0.7f), 256));
  return w;
}

inline std::string SmallModelImage() {
  auto image = SmallModelWriter().Serialize();
  return image.ok() ? *image : std::string();
}

}  // namespace engram::engine::gguf::testing
