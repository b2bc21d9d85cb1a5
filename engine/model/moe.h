// Feed-forward blocks shared by the DeepSeek architectures: the dense SwiGLU FFN and the routed
// mixture of experts with shared experts (DeepSeekMoE, Dai et al. 2024; V3 routing: Liu et al. 2024,
// "DeepSeek-V3 Technical Report" §2.1.2).
//
// Routing per token: logits = W_gate x; probs = softmax(logits) or sigmoid(logits); selection scores
// = probs + bias (aux-loss-free balancing bias, when present); with expert groups, keep the
// n_group_used groups whose two best selection scores sum highest; pick the top n_used experts by
// selection score; weights = probs of those experts, divided by their sum when `normalize`, times
// `scale`. out = sum_e weight_e * down_e(silu(gate_e x) * up_e x) + shared(x).
// Stateless; thread-safe given distinct output buffers.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kernels/matrix.h"
#include "support/thread_pool.h"

namespace engram::engine {

struct FfnWeights {
  kernels::MatrixView gate, up;  // [n_ff, n_embd]
  kernels::MatrixView down;      // [n_embd, n_ff]
};

enum class Gating { kSoftmax, kSigmoid };

struct MoeConfig {
  Gating gating = Gating::kSoftmax;
  int64_t n_expert = 0;
  int64_t n_used = 0;
  int64_t n_groups = 0;       // 0 or 1: no group limit
  int64_t n_group_used = 0;
  bool normalize = false;
  float scale = 1.0f;
};

struct MoeWeights {
  kernels::MatrixView router;        // [n_expert, n_embd]
  std::vector<float> bias;           // [n_expert] selection bias, empty when absent
  kernels::MatrixView gate_exps;     // n_expert stacked [n_ff_exp, n_embd]
  kernels::MatrixView up_exps;       // n_expert stacked [n_ff_exp, n_embd]
  kernels::MatrixView down_exps;     // n_expert stacked [n_embd, n_ff_exp]
  int64_t n_ff_exp = 0;
  std::optional<FfnWeights> shared;  // shared experts (as one FFN)
};

// out: [n, n_embd] = FFN(x), x: [n, n_embd].
void FfnForward(ThreadPool* pool, const FfnWeights& w, const float* x, int64_t n, float* out);

// The experts chosen for one token and their weights.
struct Route {
  std::vector<int32_t> experts;  // [n_used]
  std::vector<float> weights;    // [n_used]
};

// Routing for one token from its router logits [n_expert].
Route RouteToken(const MoeConfig& cfg, const std::vector<float>& bias, const float* logits);

// out: [n, n_embd] = MoE(x), x: [n, n_embd].
void MoeForward(ThreadPool* pool, const MoeConfig& cfg, const MoeWeights& w, const float* x, int64_t n,
                int64_t n_embd, float* out);

}  // namespace engram::engine
