#include "bench/engine/bench_model.h"

#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "kernels/ref/ref.h"

namespace engram::bench {
namespace {

using engine::gguf::Writer;
using kernels::DType;

constexpr int64_t kVocab = 32768, kEmbd = 1536, kLayers = 20, kFf = 4096, kHeads = 16, kQLora = 512,
                  kKvLora = 512, kNope = 128, kRope = 64, kV = 128, kExperts = 64, kFfExp = 256, kUsed = 6,
                  kShared = 2, kGroups = 8, kGroupsUsed = 4;

// Deterministic pseudo-normal values (sum of 4 uniforms), std ~ `scale`.
struct Rng {
  uint64_t s;
  float Next() {
    float acc = 0.0f;
    for (int i = 0; i < 4; ++i) {
      s ^= s << 13;
      s ^= s >> 7;
      s ^= s << 17;
      acc += static_cast<float>(s >> 40) / static_cast<float>(1 << 24) - 0.5f;
    }
    return acc * 1.7320508f;  // sum of 4 U(-0.5, 0.5) has variance 1/3
  }
};

DType TypeFor(Mix mix, const std::string& name, int64_t cols, int64_t layer) {
  if (mix == Mix::kQ8_0) return DType::kQ8_0;
  // Q4_K_M-like: q4_K where rows are whole 256-blocks, q6_K for the output and the down projections
  // of every other layer, q8_0 for rows that are not a multiple of 256 (MLA's k_b).
  if (cols % 256 != 0) return DType::kQ8_0;
  if (name == "output.weight") return DType::kQ6_K;
  if (name.find("ffn_down") != std::string::npos && layer % 2 == 0) return DType::kQ6_K;
  return DType::kQ4_K;
}

void AddMatrix(Writer& w, Mix mix, ThreadPool* pool, const std::string& name, int64_t cols, int64_t rows, int64_t n,
               int64_t layer, uint64_t seed) {
  const DType type = TypeFor(mix, name, cols, layer);
  const int64_t total_rows = rows * n;
  const size_t row_bytes = static_cast<size_t>(kernels::RowBytes(type, cols));
  std::string bytes(row_bytes * static_cast<size_t>(total_rows), '\0');
  const float scale = 1.0f / std::sqrt(static_cast<float>(cols));  // keeps activations O(1)
  pool->ParallelFor(total_rows, 64, [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = begin; r < end; ++r) {
      Rng rng{seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(r) * 0xD1B54A32D192ED03ull + 1};
      for (auto& v : row) v = rng.Next() * scale;
      kernels::QuantizeRowRef(type, row.data(), bytes.data() + static_cast<size_t>(r) * row_bytes, cols);
    }
  });
  std::vector<int64_t> dims = {cols, rows};
  if (n != 1) dims.push_back(n);
  w.AddTensor(name, type, dims, std::move(bytes));
}

void AddVector(Writer& w, const std::string& name, int64_t n, float value) {
  w.AddTensorF32(name, {n}, std::vector<float>(static_cast<size_t>(n), value));
}

}  // namespace

absl::StatusOr<std::string> MakeBenchModel(const std::string& dir, Mix mix, ThreadPool* pool, bool* reused) {
  const std::string path = dir + "/bench-v3-" + (mix == Mix::kQ8_0 ? "q8_0" : "q4_k_m") + ".gguf";
  struct stat st;
  *reused = ::stat(path.c_str(), &st) == 0;
  if (*reused) return path;
  ::mkdir(dir.c_str(), 0755);

  Writer w;
  const std::string a = "deepseek2.";
  w.AddString("general.architecture", "deepseek2");
  w.AddString("general.name", "engram-bench-v3-small");
  w.AddUint32(a + "context_length", 16384);
  w.AddUint32(a + "embedding_length", kEmbd);
  w.AddUint32(a + "block_count", kLayers);
  w.AddUint32(a + "feed_forward_length", kFf);
  w.AddUint32(a + "attention.head_count", kHeads);
  w.AddUint32(a + "attention.head_count_kv", 1);
  w.AddFloat32(a + "attention.layer_norm_rms_epsilon", 1e-6f);
  w.AddFloat32(a + "rope.freq_base", 10000.0f);
  w.AddUint32(a + "rope.dimension_count", kRope);
  w.AddUint32(a + "leading_dense_block_count", 1);
  w.AddUint32(a + "attention.q_lora_rank", kQLora);
  w.AddUint32(a + "attention.kv_lora_rank", kKvLora);
  w.AddUint32(a + "attention.key_length_mla", kNope + kRope);
  w.AddUint32(a + "attention.value_length_mla", kV);
  w.AddUint32(a + "expert_feed_forward_length", kFfExp);
  w.AddUint32(a + "expert_count", kExperts);
  w.AddUint32(a + "expert_used_count", kUsed);
  w.AddUint32(a + "expert_shared_count", kShared);
  w.AddUint32(a + "expert_group_count", kGroups);
  w.AddUint32(a + "expert_group_used_count", kGroupsUsed);
  w.AddFloat32(a + "expert_weights_scale", 2.5f);
  w.AddBool(a + "expert_weights_norm", true);
  w.AddUint32(a + "expert_gating_func", 2);

  uint64_t seed = 1;
  AddMatrix(w, mix, pool, "token_embd.weight", kEmbd, kVocab, 1, -1, seed++);
  for (int64_t il = 0; il < kLayers; ++il) {
    const std::string p = "blk." + std::to_string(il) + ".";
    AddVector(w, p + "attn_norm.weight", kEmbd, 1.0f);
    AddVector(w, p + "ffn_norm.weight", kEmbd, 1.0f);
    AddVector(w, p + "attn_q_a_norm.weight", kQLora, 1.0f);
    AddVector(w, p + "attn_kv_a_norm.weight", kKvLora, 1.0f);
    AddMatrix(w, mix, pool, p + "attn_q_a.weight", kEmbd, kQLora, 1, il, seed++);
    AddMatrix(w, mix, pool, p + "attn_q_b.weight", kQLora, kHeads * (kNope + kRope), 1, il, seed++);
    AddMatrix(w, mix, pool, p + "attn_kv_a_mqa.weight", kEmbd, kKvLora + kRope, 1, il, seed++);
    AddMatrix(w, mix, pool, p + "attn_k_b.weight", kNope, kKvLora, kHeads, il, seed++);
    AddMatrix(w, mix, pool, p + "attn_v_b.weight", kKvLora, kV, kHeads, il, seed++);
    AddMatrix(w, mix, pool, p + "attn_output.weight", kHeads * kV, kEmbd, 1, il, seed++);
    if (il == 0) {
      AddMatrix(w, mix, pool, p + "ffn_gate.weight", kEmbd, kFf, 1, il, seed++);
      AddMatrix(w, mix, pool, p + "ffn_up.weight", kEmbd, kFf, 1, il, seed++);
      AddMatrix(w, mix, pool, p + "ffn_down.weight", kFf, kEmbd, 1, il, seed++);
      continue;
    }
    w.AddTensorF32(p + "ffn_gate_inp.weight", {kEmbd, kExperts}, [&] {
      std::vector<float> v(static_cast<size_t>(kEmbd * kExperts));
      Rng rng{seed++};
      for (auto& x : v) x = rng.Next() / std::sqrt(static_cast<float>(kEmbd));
      return v;
    }());
    AddVector(w, p + "exp_probs_b.bias", kExperts, 0.0f);
    AddMatrix(w, mix, pool, p + "ffn_gate_exps.weight", kEmbd, kFfExp, kExperts, il, seed++);
    AddMatrix(w, mix, pool, p + "ffn_up_exps.weight", kEmbd, kFfExp, kExperts, il, seed++);
    AddMatrix(w, mix, pool, p + "ffn_down_exps.weight", kFfExp, kEmbd, kExperts, il, seed++);
    AddMatrix(w, mix, pool, p + "ffn_gate_shexp.weight", kEmbd, kFfExp * kShared, 1, il, seed++);
    AddMatrix(w, mix, pool, p + "ffn_up_shexp.weight", kEmbd, kFfExp * kShared, 1, il, seed++);
    AddMatrix(w, mix, pool, p + "ffn_down_shexp.weight", kFfExp * kShared, kEmbd, 1, il, seed++);
  }
  AddVector(w, "output_norm.weight", kEmbd, 1.0f);
  AddMatrix(w, mix, pool, "output.weight", kEmbd, kVocab, 1, -1, seed++);
  if (auto s = w.Write(path); !s.ok()) return s;
  return path;
}

}  // namespace engram::bench
