#include "engine/model/moe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/model/weights.h"
#include "kernels/ops.h"

namespace engram::engine {
namespace {

// Indices of the k largest values, largest first (ties: lower index first).
std::vector<int32_t> TopK(const std::vector<float>& v, int64_t k) {
  std::vector<int32_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int32_t a, int32_t b) {
    return v[static_cast<size_t>(a)] > v[static_cast<size_t>(b)] ||
           (v[static_cast<size_t>(a)] == v[static_cast<size_t>(b)] && a < b);
  });
  idx.resize(static_cast<size_t>(k));
  return idx;
}

}  // namespace

void FfnForward(ThreadPool* pool, const FfnWeights& w, const float* x, int64_t n, float* out) {
  const int64_t n_ff = w.gate.rows;
  std::vector<float> gate(static_cast<size_t>(n * n_ff)), up(gate.size());  // [n, n_ff]
  const LinearJob gate_up[2] = {{w.gate, x, n, gate.data()}, {w.up, x, n, up.data()}};
  LinearMany(pool, gate_up);
  kernels::SwiGlu(gate.data(), up.data(), gate.data(), n * n_ff);
  Linear(pool, w.down, gate.data(), n, out);
}

Route RouteToken(const MoeConfig& cfg, const std::vector<float>& bias, const float* logits) {
  const size_t n_expert = static_cast<size_t>(cfg.n_expert);
  std::vector<float> probs(logits, logits + n_expert);
  if (cfg.gating == Gating::kSoftmax) {
    kernels::Softmax(probs.data(), cfg.n_expert);
  } else {
    for (float& p : probs) p = 1.0f / (1.0f + std::exp(-p));
  }
  std::vector<float> select = probs;
  if (!bias.empty()) {
    for (size_t e = 0; e < n_expert; ++e) select[e] += bias[e];
  }
  if (cfg.n_groups > 1 && cfg.n_group_used < cfg.n_groups) {
    const int64_t per_group = cfg.n_expert / cfg.n_groups;
    std::vector<float> group_score(static_cast<size_t>(cfg.n_groups));
    for (int64_t g = 0; g < cfg.n_groups; ++g) {
      std::vector<float> members(select.begin() + g * per_group, select.begin() + (g + 1) * per_group);
      std::vector<int32_t> best = TopK(members, std::min<int64_t>(2, per_group));
      float s = 0.0f;
      for (int32_t b : best) s += members[static_cast<size_t>(b)];
      group_score[static_cast<size_t>(g)] = s;
    }
    std::vector<int32_t> keep = TopK(group_score, cfg.n_group_used);
    std::vector<bool> kept(static_cast<size_t>(cfg.n_groups), false);
    for (int32_t g : keep) kept[static_cast<size_t>(g)] = true;
    for (size_t e = 0; e < n_expert; ++e) {
      if (!kept[e / static_cast<size_t>(per_group)]) select[e] = -std::numeric_limits<float>::infinity();
    }
  }
  Route r;
  r.experts = TopK(select, cfg.n_used);
  float sum = 0.0f;
  for (int32_t e : r.experts) {
    r.weights.push_back(probs[static_cast<size_t>(e)]);
    sum += probs[static_cast<size_t>(e)];
  }
  if (cfg.normalize) {
    sum = std::max(sum, 6.103515625e-5f);  // as llama.cpp clamps the sum (smallest normal fp16)
    for (float& wt : r.weights) wt /= sum;
  }
  for (float& wt : r.weights) wt *= cfg.scale;
  return r;
}

void MoeForward(ThreadPool* pool, const MoeConfig& cfg, const MoeWeights& w, const float* x, int64_t n,
                int64_t n_embd, float* out) {
  std::vector<float> logits(static_cast<size_t>(n * cfg.n_expert));  // [n, n_expert]
  Linear(pool, w.router, x, n, logits.data());

  // Tokens per expert, so each expert's weights are read once for all its tokens.
  std::vector<std::vector<std::pair<int64_t, float>>> assigned(static_cast<size_t>(cfg.n_expert));
  for (int64_t t = 0; t < n; ++t) {
    Route r = RouteToken(cfg, w.bias, logits.data() + t * cfg.n_expert);
    for (size_t i = 0; i < r.experts.size(); ++i) {
      assigned[static_cast<size_t>(r.experts[i])].push_back({t, r.weights[i]});
    }
  }

  // Gather each used expert's tokens, then run every expert (and the shared experts) as one
  // parallel pass per projection, so a decode step enters the pool three times, not 3 x n_used.
  const int64_t n_ff = w.n_ff_exp;
  struct Work {
    int64_t expert;
    std::vector<float> xs, gate, up, down;  // [m, n_embd], [m, n_ff], [m, n_ff], [m, n_embd]
  };
  std::vector<Work> work;
  for (int64_t e = 0; e < cfg.n_expert; ++e) {
    const auto& tokens = assigned[static_cast<size_t>(e)];
    if (tokens.empty()) continue;
    const int64_t m = static_cast<int64_t>(tokens.size());
    Work& wk = work.emplace_back();
    wk.expert = e;
    wk.xs.resize(static_cast<size_t>(m * n_embd));
    for (int64_t i = 0; i < m; ++i) {
      std::copy_n(x + tokens[static_cast<size_t>(i)].first * n_embd, n_embd, wk.xs.data() + i * n_embd);
    }
    wk.gate.resize(static_cast<size_t>(m * n_ff));
    wk.up.resize(wk.gate.size());
    wk.down.resize(wk.xs.size());
  }
  const int64_t n_ff_sh = w.shared ? w.shared->gate.rows : 0;
  std::vector<float> sh_gate(static_cast<size_t>(n * n_ff_sh)), sh_up(sh_gate.size());  // [n, n_ff_shared]
  std::vector<LinearJob> jobs;
  for (Work& wk : work) {
    const int64_t m = static_cast<int64_t>(wk.xs.size()) / n_embd;
    jobs.push_back({w.gate_exps.RowRange(wk.expert * n_ff, n_ff), wk.xs.data(), m, wk.gate.data()});
    jobs.push_back({w.up_exps.RowRange(wk.expert * n_ff, n_ff), wk.xs.data(), m, wk.up.data()});
  }
  if (w.shared) {
    jobs.push_back({w.shared->gate, x, n, sh_gate.data()});
    jobs.push_back({w.shared->up, x, n, sh_up.data()});
  }
  LinearMany(pool, jobs);
  jobs.clear();
  for (Work& wk : work) {
    const int64_t m = static_cast<int64_t>(wk.xs.size()) / n_embd;
    kernels::SwiGlu(wk.gate.data(), wk.up.data(), wk.gate.data(), m * n_ff);
    jobs.push_back({w.down_exps.RowRange(wk.expert * n_embd, n_embd), wk.gate.data(), m, wk.down.data()});
  }
  if (w.shared) {
    kernels::SwiGlu(sh_gate.data(), sh_up.data(), sh_gate.data(), n * n_ff_sh);
    jobs.push_back({w.shared->down, sh_gate.data(), n, out});
  } else {
    std::fill(out, out + n * n_embd, 0.0f);
  }
  LinearMany(pool, jobs);
  for (const Work& wk : work) {
    const auto& tokens = assigned[static_cast<size_t>(wk.expert)];
    for (size_t i = 0; i < tokens.size(); ++i) {
      const auto [t, weight] = tokens[i];
      float* o = out + t * n_embd;
      const float* d = wk.down.data() + static_cast<int64_t>(i) * n_embd;
      for (int64_t c = 0; c < n_embd; ++c) o[c] += weight * d[c];
    }
  }
}

}  // namespace engram::engine
