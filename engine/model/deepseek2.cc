#include "engine/model/deepseek2.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/kv_cache/latent_cache.h"
#include "engine/model/mla.h"
#include "engine/model/rope.h"
#include "engine/model/weights.h"
#include "kernels/ops.h"
#include "support/status.h"

namespace engram::engine {
namespace {

constexpr char kArch[] = "deepseek2";

std::string Key(const char* suffix) { return std::string(kArch) + "." + suffix; }

// Optional integer key with a default.
absl::StatusOr<int64_t> IntOr(const gguf::File& f, const std::string& key, int64_t fallback) {
  if (!f.Has(key)) return fallback;
  return f.GetInt64(key);
}

absl::StatusOr<float> FloatOr(const gguf::File& f, const std::string& key, float fallback) {
  if (!f.Has(key)) return fallback;
  return f.GetFloat32(key);
}

absl::Status Positive(const char* what, int64_t v) {
  if (v <= 0) return absl::InvalidArgumentError(std::string("deepseek2: ") + what + " must be positive (got " + std::to_string(v) + ")");
  return absl::OkStatus();
}

class Deepseek2Sequence final : public SequenceState {
 public:
  Deepseek2Sequence(int64_t n_layer, int64_t kv_lora, int64_t n_rot, int64_t max_tokens, KvType kv)
      : cache(n_layer, kv_lora, n_rot, max_tokens, kv) {}
  int64_t size() const override { return cache.size(); }
  int64_t max_tokens() const override { return cache.max_tokens(); }
  void Truncate(int64_t n) override { cache.Truncate(n); }
  int64_t kv_bytes_per_token() const override { return cache.bytes_per_token(); }
  LatentCache cache;
};

struct Layer {
  std::vector<float> attn_norm, ffn_norm;  // [n_embd]
  MlaWeights attn;
  bool is_moe = false;
  FfnWeights dense;
  MoeWeights moe;
};

class Deepseek2 final : public Model {
 public:
  Deepseek2(std::shared_ptr<const gguf::File> file, ThreadPool* pool, Deepseek2Config cfg)
      : file_(std::move(file)), pool_(pool), cfg_(std::move(cfg)), rope_(MakeRope(cfg_)) {}

  absl::Status Load();

  const ModelInfo& info() const override { return info_; }
  std::unique_ptr<SequenceState> NewSequence(int64_t max_tokens, KvType kv) const override {
    return std::make_unique<Deepseek2Sequence>(cfg_.n_layer, cfg_.kv_lora_rank, cfg_.qk_rope, max_tokens, kv);
  }
  absl::Status Forward(std::span<const int32_t> tokens, SequenceState* seq, bool all_logits,
                       float* logits) const override;

 private:
  static RopeTable MakeRope(const Deepseek2Config& c) {
    RopeParams p;
    p.n_rot = c.qk_rope;
    p.freq_base = c.rope_base;
    p.freq_scale = c.rope_freq_scale;
    p.ext_factor = c.yarn ? 1.0f : 0.0f;
    // llama.cpp folds YaRN's magnitude correction into kq_scale for deepseek2 and cancels it here.
    p.attn_factor = 1.0f / (1.0f + 0.1f * std::log(1.0f / c.rope_freq_scale));
    p.beta_fast = c.yarn_beta_fast;
    p.beta_slow = c.yarn_beta_slow;
    p.n_ctx_orig = c.rope_n_ctx_orig;
    return RopeTable(p);
  }
  absl::Status LoadLayer(int64_t il, Layer* layer);

  std::shared_ptr<const gguf::File> file_;
  ThreadPool* pool_;
  Deepseek2Config cfg_;
  RopeTable rope_;
  MlaConfig mla_;
  ModelInfo info_;
  kernels::MatrixView token_embd_, output_;
  std::vector<float> output_norm_;
  std::vector<Layer> layers_;
};

absl::Status Deepseek2::LoadLayer(int64_t il, Layer* l) {
  const gguf::File& f = *file_;
  const Deepseek2Config& c = cfg_;
  const std::string p = "blk." + std::to_string(il) + ".";
  const int64_t H = c.n_head, d_head = c.qk_nope + c.qk_rope;
  ASSIGN_OR_RETURN(l->attn_norm, WeightVector(f, p + "attn_norm.weight", c.n_embd));
  ASSIGN_OR_RETURN(l->ffn_norm, WeightVector(f, p + "ffn_norm.weight", c.n_embd));
  MlaWeights& a = l->attn;
  if (c.q_lora_rank > 0) {
    ASSIGN_OR_RETURN(a.q_a, WeightMatrix(f, p + "attn_q_a.weight", c.q_lora_rank, c.n_embd));
    ASSIGN_OR_RETURN(a.q_a_norm, WeightVector(f, p + "attn_q_a_norm.weight", c.q_lora_rank));
    ASSIGN_OR_RETURN(a.q_b, WeightMatrix(f, p + "attn_q_b.weight", H * d_head, c.q_lora_rank));
  } else {
    ASSIGN_OR_RETURN(a.q_b, WeightMatrix(f, p + "attn_q.weight", H * d_head, c.n_embd));
  }
  ASSIGN_OR_RETURN(a.kv_a, WeightMatrix(f, p + "attn_kv_a_mqa.weight", c.kv_lora_rank + c.qk_rope, c.n_embd));
  ASSIGN_OR_RETURN(a.kv_a_norm, WeightVector(f, p + "attn_kv_a_norm.weight", c.kv_lora_rank));
  if (HasTensor(f, p + "attn_k_b.weight")) {
    ASSIGN_OR_RETURN(a.k_b, WeightStack(f, p + "attn_k_b.weight", c.kv_lora_rank, c.qk_nope, H));
    ASSIGN_OR_RETURN(a.v_b, WeightStack(f, p + "attn_v_b.weight", c.v_head, c.kv_lora_rank, H));
    a.v_b_first = 0;
    a.v_b_stride = c.v_head;
  } else {
    // Older files: attn_kv_b [n_head * (nope + v_head), kv_lora]. V rows are used in place; the
    // per-head K block is transposed once here into [kv_lora, nope] so queries can be absorbed.
    const int64_t per_head = c.qk_nope + c.v_head;
    ASSIGN_OR_RETURN(kernels::MatrixView kv_b, WeightMatrix(f, p + "attn_kv_b.weight", H * per_head, c.kv_lora_rank));
    a.v_b = kv_b;
    a.v_b_first = c.qk_nope;
    a.v_b_stride = per_head;
    a.k_b_owned.assign(static_cast<size_t>(H * c.kv_lora_rank * c.qk_nope), 0.0f);
    std::vector<float> row(static_cast<size_t>(c.kv_lora_rank));
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t d = 0; d < c.qk_nope; ++d) {
        kernels::DequantizeRow(kv_b.type, kv_b.row(h * per_head + d), row.data(), c.kv_lora_rank);
        for (int64_t r = 0; r < c.kv_lora_rank; ++r) {
          a.k_b_owned[static_cast<size_t>((h * c.kv_lora_rank + r) * c.qk_nope + d)] = row[static_cast<size_t>(r)];
        }
      }
    }
    a.k_b = kernels::MatrixView{kernels::DType::kF32, reinterpret_cast<const uint8_t*>(a.k_b_owned.data()),
                                H * c.kv_lora_rank, c.qk_nope, static_cast<size_t>(c.qk_nope) * sizeof(float)};
  }
  ASSIGN_OR_RETURN(a.out, WeightMatrix(f, p + "attn_output.weight", c.n_embd, H * c.v_head));

  l->is_moe = il >= c.n_layer_dense_lead;
  if (!l->is_moe) {
    ASSIGN_OR_RETURN(l->dense.gate, WeightMatrix(f, p + "ffn_gate.weight", c.n_ff, c.n_embd));
    ASSIGN_OR_RETURN(l->dense.up, WeightMatrix(f, p + "ffn_up.weight", c.n_ff, c.n_embd));
    ASSIGN_OR_RETURN(l->dense.down, WeightMatrix(f, p + "ffn_down.weight", c.n_embd, c.n_ff));
    return absl::OkStatus();
  }
  MoeWeights& m = l->moe;
  const int64_t E = c.moe.n_expert, ff = c.n_ff_exp;
  m.n_ff_exp = ff;
  ASSIGN_OR_RETURN(m.router, WeightMatrix(f, p + "ffn_gate_inp.weight", E, c.n_embd));
  if (HasTensor(f, p + "exp_probs_b.bias")) {
    ASSIGN_OR_RETURN(m.bias, WeightVector(f, p + "exp_probs_b.bias", E));
  }
  ASSIGN_OR_RETURN(m.gate_exps, WeightStack(f, p + "ffn_gate_exps.weight", ff, c.n_embd, E));
  ASSIGN_OR_RETURN(m.up_exps, WeightStack(f, p + "ffn_up_exps.weight", ff, c.n_embd, E));
  ASSIGN_OR_RETURN(m.down_exps, WeightStack(f, p + "ffn_down_exps.weight", c.n_embd, ff, E));
  if (c.n_expert_shared > 0) {
    const int64_t ff_sh = ff * c.n_expert_shared;
    FfnWeights sh;
    ASSIGN_OR_RETURN(sh.gate, WeightMatrix(f, p + "ffn_gate_shexp.weight", ff_sh, c.n_embd));
    ASSIGN_OR_RETURN(sh.up, WeightMatrix(f, p + "ffn_up_shexp.weight", ff_sh, c.n_embd));
    ASSIGN_OR_RETURN(sh.down, WeightMatrix(f, p + "ffn_down_shexp.weight", c.n_embd, ff_sh));
    m.shared = sh;
  }
  return absl::OkStatus();
}

absl::Status Deepseek2::Load() {
  const gguf::File& f = *file_;
  const Deepseek2Config& c = cfg_;
  ASSIGN_OR_RETURN(token_embd_, WeightMatrix(f, "token_embd.weight", c.n_vocab, c.n_embd));
  ASSIGN_OR_RETURN(output_norm_, WeightVector(f, "output_norm.weight", c.n_embd));
  if (HasTensor(f, "output.weight")) {
    ASSIGN_OR_RETURN(output_, WeightMatrix(f, "output.weight", c.n_vocab, c.n_embd));
  } else {
    output_ = token_embd_;  // tied embeddings
  }
  layers_.resize(static_cast<size_t>(c.n_layer));
  for (int64_t il = 0; il < c.n_layer; ++il) RETURN_IF_ERROR(LoadLayer(il, &layers_[static_cast<size_t>(il)]));

  mla_.n_embd = c.n_embd;
  mla_.n_head = c.n_head;
  mla_.q_lora_rank = c.q_lora_rank;
  mla_.kv_lora_rank = c.kv_lora_rank;
  mla_.qk_nope = c.qk_nope;
  mla_.qk_rope = c.qk_rope;
  mla_.v_head = c.v_head;
  mla_.rms_eps = c.rms_eps;
  // kq_scale = mscale^2 / sqrt(d_head), mscale = 1 + yarn_log_mul * ln(1 / freq_scale).
  const float mscale = 1.0f + c.yarn_log_mul * std::log(1.0f / c.rope_freq_scale);
  mla_.kq_scale = mscale * mscale / std::sqrt(static_cast<float>(c.qk_nope + c.qk_rope));

  info_.architecture = kArch;
  if (f.Has("general.name")) {
    ASSIGN_OR_RETURN(info_.name, f.GetString("general.name"));
  }
  info_.n_vocab = c.n_vocab;
  info_.n_embd = c.n_embd;
  info_.n_layer = c.n_layer;
  info_.n_ctx_train = c.n_ctx_train;
  for (const gguf::TensorInfo& t : f.tensors()) {
    info_.n_params += t.n_elements();
    info_.n_bytes += static_cast<int64_t>(t.size_bytes);
  }
  return absl::OkStatus();
}

absl::Status Deepseek2::Forward(std::span<const int32_t> tokens, SequenceState* seq, bool all_logits,
                                float* logits) const {
  auto* state = dynamic_cast<Deepseek2Sequence*>(seq);
  if (state == nullptr) return absl::InvalidArgumentError("deepseek2: sequence state belongs to another model");
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n == 0) return absl::OkStatus();
  const int64_t pos0 = state->size();
  if (pos0 + n > state->max_tokens()) {
    return absl::OutOfRangeError("deepseek2: sequence of " + std::to_string(pos0) + " tokens cannot take " +
                                 std::to_string(n) + " more (max " + std::to_string(state->max_tokens()) + ")");
  }
  for (int64_t i = 0; i < n; ++i) {
    if (tokens[static_cast<size_t>(i)] < 0 || tokens[static_cast<size_t>(i)] >= cfg_.n_vocab) {
      return absl::InvalidArgumentError("deepseek2: token " + std::to_string(tokens[static_cast<size_t>(i)]) +
                                        " at index " + std::to_string(i) + " is outside the vocabulary (" +
                                        std::to_string(cfg_.n_vocab) + ")");
    }
  }
  const int64_t d = cfg_.n_embd;
  std::vector<float> x(static_cast<size_t>(n * d));  // [n, n_embd] residual stream
  for (int64_t t = 0; t < n; ++t) {
    kernels::DequantizeRow(token_embd_.type, token_embd_.row(tokens[static_cast<size_t>(t)]), x.data() + t * d, d);
  }
  std::vector<float> cos_sin(static_cast<size_t>(n * cfg_.qk_rope));  // [n, rope]
  for (int64_t t = 0; t < n; ++t) rope_.Fill(pos0 + t, cos_sin.data() + t * cfg_.qk_rope);

  std::vector<float> h(x.size()), delta(x.size());  // [n, n_embd]
  for (int64_t il = 0; il < cfg_.n_layer; ++il) {
    const Layer& l = layers_[static_cast<size_t>(il)];
    kernels::RmsNorm(x.data(), l.attn_norm.data(), h.data(), n, d, cfg_.rms_eps);
    MlaForward(pool_, mla_, l.attn, h.data(), n, cos_sin.data(), &state->cache, il, delta.data());
    for (size_t i = 0; i < x.size(); ++i) x[i] += delta[i];
    kernels::RmsNorm(x.data(), l.ffn_norm.data(), h.data(), n, d, cfg_.rms_eps);
    if (l.is_moe) {
      MoeForward(pool_, cfg_.moe, l.moe, h.data(), n, d, delta.data());
    } else {
      FfnForward(pool_, l.dense, h.data(), n, delta.data());
    }
    for (size_t i = 0; i < x.size(); ++i) x[i] += delta[i];
  }
  state->cache.Commit(n);

  const int64_t first = all_logits ? 0 : n - 1;
  const int64_t rows = n - first;
  kernels::RmsNorm(x.data() + first * d, output_norm_.data(), h.data(), rows, d, cfg_.rms_eps);
  Linear(pool_, output_, h.data(), rows, logits);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Deepseek2Config> ReadDeepseek2Config(const gguf::File& f) {
  Deepseek2Config c;
  ASSIGN_OR_RETURN(c.n_embd, f.GetInt64(Key("embedding_length")));
  ASSIGN_OR_RETURN(c.n_layer, f.GetInt64(Key("block_count")));
  ASSIGN_OR_RETURN(c.n_head, f.GetInt64(Key("attention.head_count")));
  ASSIGN_OR_RETURN(c.n_ctx_train, IntOr(f, Key("context_length"), 4096));
  ASSIGN_OR_RETURN(c.n_ff, IntOr(f, Key("feed_forward_length"), 0));
  ASSIGN_OR_RETURN(c.rms_eps, f.GetFloat32(Key("attention.layer_norm_rms_epsilon")));
  ASSIGN_OR_RETURN(c.rope_base, FloatOr(f, Key("rope.freq_base"), 10000.0f));
  ASSIGN_OR_RETURN(c.qk_rope, f.GetInt64(Key("rope.dimension_count")));
  ASSIGN_OR_RETURN(c.n_layer_dense_lead, IntOr(f, Key("leading_dense_block_count"), 0));
  ASSIGN_OR_RETURN(c.q_lora_rank, IntOr(f, Key("attention.q_lora_rank"), 0));
  ASSIGN_OR_RETURN(c.kv_lora_rank, f.GetInt64(Key("attention.kv_lora_rank")));
  int64_t d_qk = 0;
  if (f.Has(Key("attention.key_length_mla"))) {
    ASSIGN_OR_RETURN(d_qk, f.GetInt64(Key("attention.key_length_mla")));
    ASSIGN_OR_RETURN(c.v_head, f.GetInt64(Key("attention.value_length_mla")));
  } else {
    ASSIGN_OR_RETURN(d_qk, f.GetInt64(Key("attention.key_length")));
    ASSIGN_OR_RETURN(c.v_head, f.GetInt64(Key("attention.value_length")));
  }
  c.qk_nope = d_qk - c.qk_rope;
  ASSIGN_OR_RETURN(c.n_ff_exp, IntOr(f, Key("expert_feed_forward_length"), 0));
  ASSIGN_OR_RETURN(c.moe.n_expert, IntOr(f, Key("expert_count"), 0));
  ASSIGN_OR_RETURN(c.moe.n_used, IntOr(f, Key("expert_used_count"), 0));
  ASSIGN_OR_RETURN(c.n_expert_shared, IntOr(f, Key("expert_shared_count"), 0));
  ASSIGN_OR_RETURN(c.moe.n_groups, IntOr(f, Key("expert_group_count"), 0));
  ASSIGN_OR_RETURN(c.moe.n_group_used, IntOr(f, Key("expert_group_used_count"), 0));
  ASSIGN_OR_RETURN(c.moe.scale, FloatOr(f, Key("expert_weights_scale"), 1.0f));
  if (f.Has(Key("expert_weights_norm"))) {
    ASSIGN_OR_RETURN(c.moe.normalize, f.GetBool(Key("expert_weights_norm")));
  }
  ASSIGN_OR_RETURN(int64_t gating, IntOr(f, Key("expert_gating_func"), 1));
  if (gating != 1 && gating != 2) {
    return absl::InvalidArgumentError("deepseek2: key '" + Key("expert_gating_func") + "' is " + std::to_string(gating) +
                                      " (expected 1 = softmax or 2 = sigmoid)");
  }
  c.moe.gating = gating == 2 ? Gating::kSigmoid : Gating::kSoftmax;

  std::string scaling = "none";
  if (f.Has(Key("rope.scaling.type"))) {
    ASSIGN_OR_RETURN(scaling, f.GetString(Key("rope.scaling.type")));
  }
  if (scaling == "yarn" || scaling == "linear") {
    ASSIGN_OR_RETURN(float factor, f.GetFloat32(Key("rope.scaling.factor")));
    if (!(factor >= 1.0f)) {
      return absl::InvalidArgumentError("deepseek2: key '" + Key("rope.scaling.factor") + "' must be >= 1");
    }
    c.rope_freq_scale = 1.0f / factor;
    c.yarn = scaling == "yarn";
    if (c.yarn) {
      ASSIGN_OR_RETURN(c.rope_n_ctx_orig, f.GetInt64(Key("rope.scaling.original_context_length")));
      ASSIGN_OR_RETURN(c.yarn_log_mul, FloatOr(f, Key("rope.scaling.yarn_log_multiplier"), 0.0f));
      ASSIGN_OR_RETURN(c.yarn_beta_fast, FloatOr(f, Key("rope.scaling.yarn_beta_fast"), 32.0f));
      ASSIGN_OR_RETURN(c.yarn_beta_slow, FloatOr(f, Key("rope.scaling.yarn_beta_slow"), 1.0f));
    }
  } else if (scaling != "none") {
    return absl::InvalidArgumentError("deepseek2: unsupported rope scaling type '" + scaling + "'");
  }

  const gguf::TensorInfo* embd = f.FindTensor("token_embd.weight");
  if (embd == nullptr || embd->dims.size() != 2) {
    return absl::InvalidArgumentError("deepseek2: tensor 'token_embd.weight' is missing or not 2-D");
  }
  c.n_vocab = embd->dims[1];

  for (auto [what, v] : {std::pair{"embedding_length", c.n_embd}, {"block_count", c.n_layer},
                         {"attention.head_count", c.n_head}, {"kv_lora_rank", c.kv_lora_rank},
                         {"qk_nope_head_dim", c.qk_nope}, {"v_head_dim", c.v_head}}) {
    RETURN_IF_ERROR(Positive(what, v));
  }
  if (c.qk_rope <= 0 || c.qk_rope % 2 != 0) {
    return absl::InvalidArgumentError("deepseek2: rope.dimension_count must be positive and even (got " +
                                      std::to_string(c.qk_rope) + ")");
  }
  if (c.n_layer_dense_lead < c.n_layer) {
    RETURN_IF_ERROR(Positive("expert_count", c.moe.n_expert));
    RETURN_IF_ERROR(Positive("expert_feed_forward_length", c.n_ff_exp));
    if (c.moe.n_used <= 0 || c.moe.n_used > c.moe.n_expert) {
      return absl::InvalidArgumentError("deepseek2: expert_used_count " + std::to_string(c.moe.n_used) +
                                        " must be within 1.." + std::to_string(c.moe.n_expert));
    }
    if (c.moe.n_groups > 1 && (c.moe.n_expert % c.moe.n_groups != 0 || c.moe.n_group_used <= 0 ||
                               c.moe.n_group_used > c.moe.n_groups ||
                               c.moe.n_used > c.moe.n_group_used * (c.moe.n_expert / c.moe.n_groups))) {
      return absl::InvalidArgumentError("deepseek2: expert groups (" + std::to_string(c.moe.n_groups) + " groups, " +
                                        std::to_string(c.moe.n_group_used) + " used) do not fit " +
                                        std::to_string(c.moe.n_expert) + " experts with " +
                                        std::to_string(c.moe.n_used) + " used");
    }
  }
  if (c.n_layer_dense_lead > 0) RETURN_IF_ERROR(Positive("feed_forward_length", c.n_ff));
  return c;
}

absl::StatusOr<std::unique_ptr<Model>> LoadDeepseek2(std::shared_ptr<const gguf::File> file, ThreadPool* pool) {
  auto cfg_or = ReadDeepseek2Config(*file);
  if (!cfg_or.ok()) return Annotate(cfg_or.status(), file->name());
  Deepseek2Config cfg = std::move(*cfg_or);
  const std::string name = file->name();
  auto model = std::make_unique<Deepseek2>(std::move(file), pool, std::move(cfg));
  RETURN_IF_ERROR(Annotate(model->Load(), name));
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace engram::engine
