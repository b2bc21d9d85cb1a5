// The `deepseek2` architecture (DeepSeek-V2, V2-Lite, V2.5, V3, R1 in llama.cpp's GGUF layout): MLA
// attention (split attn_k_b / attn_v_b, or an older file's attn_kv_b), leading dense FFN layers,
// then DeepSeekMoE layers with shared experts, softmax or sigmoid routing, selection bias, group
// limits; YaRN RoPE with llama.cpp's mscale handling.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "engine/model/model.h"
#include "engine/model/moe.h"

namespace engram::engine {

struct Deepseek2Config {
  int64_t n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_ctx_train = 0;
  int64_t n_layer_dense_lead = 0, n_ff = 0, n_ff_exp = 0, n_expert_shared = 0;
  int64_t q_lora_rank = 0, kv_lora_rank = 0, qk_nope = 0, qk_rope = 0, v_head = 0;
  float rms_eps = 1e-6f;
  MoeConfig moe;
  // RoPE / YaRN
  float rope_base = 10000.0f;
  float rope_freq_scale = 1.0f;
  bool yarn = false;
  int64_t rope_n_ctx_orig = 0;
  float yarn_log_mul = 0.0f;
  float yarn_beta_fast = 32.0f, yarn_beta_slow = 1.0f;
};

// Reads and checks the hyperparameters (keys "deepseek2.*"). Errors name the key.
absl::StatusOr<Deepseek2Config> ReadDeepseek2Config(const gguf::File& file);

absl::StatusOr<std::unique_ptr<Model>> LoadDeepseek2(std::shared_ptr<const gguf::File> file, ThreadPool* pool);

}  // namespace engram::engine
