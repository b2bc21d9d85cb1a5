#include "engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>

namespace engram::engine {

absl::Status ValidateSamplingParams(const SamplingParams& p) {
  auto bad = [](const std::string& field, const std::string& want) {
    return absl::InvalidArgumentError("sampling: " + field + " must be " + want);
  };
  if (!(p.temperature >= 0.0f) || !std::isfinite(p.temperature)) return bad("temperature", ">= 0");
  if (p.top_k < 0) return bad("top_k", ">= 0");
  if (!(p.top_p > 0.0f && p.top_p <= 1.0f)) return bad("top_p", "in (0, 1]");
  if (!(p.min_p >= 0.0f && p.min_p <= 1.0f)) return bad("min_p", "in [0, 1]");
  if (!(p.repetition_penalty > 0.0f) || !std::isfinite(p.repetition_penalty)) return bad("repetition_penalty", "> 0");
  if (!std::isfinite(p.presence_penalty)) return bad("presence_penalty", "finite");
  if (!std::isfinite(p.frequency_penalty)) return bad("frequency_penalty", "finite");
  if (p.penalty_last_n < -1) return bad("penalty_last_n", ">= -1");
  if (p.n_logprobs < 0 || p.n_logprobs > 20) return bad("n_logprobs", "in 0..20");
  return absl::OkStatus();
}

Sampler::Sampler(const SamplingParams& params, int64_t n_vocab)
    : p_(params), n_vocab_(n_vocab), rng_(params.seed), work_(static_cast<size_t>(n_vocab)),
      order_(static_cast<size_t>(n_vocab)) {}

SampledToken Sampler::Sample(const float* logits, std::span<const int32_t> history) {
  std::copy(logits, logits + n_vocab_, work_.begin());

  // Penalties over the last penalty_last_n tokens of history.
  size_t window = p_.penalty_last_n < 0 ? history.size() : std::min(history.size(), static_cast<size_t>(p_.penalty_last_n));
  if (window > 0 && (p_.repetition_penalty != 1.0f || p_.presence_penalty != 0.0f || p_.frequency_penalty != 0.0f)) {
    std::unordered_map<int32_t, int> counts;
    for (int32_t id : history.subspan(history.size() - window)) {
      if (id >= 0 && id < n_vocab_) ++counts[id];
    }
    for (const auto& [id, count] : counts) {
      float& l = work_[static_cast<size_t>(id)];
      l = l > 0.0f ? l / p_.repetition_penalty : l * p_.repetition_penalty;
      l -= p_.presence_penalty + p_.frequency_penalty * static_cast<float>(count);
    }
  }

  // The model's distribution (after penalties) for logprobs: log-softmax.
  const float max_logit = *std::max_element(work_.begin(), work_.end());
  double z = 0.0;
  for (float l : work_) z += std::exp(static_cast<double>(l) - max_logit);
  const double log_z = max_logit + std::log(z);
  auto logprob = [&](int32_t id) { return static_cast<float>(work_[static_cast<size_t>(id)] - log_z); };

  std::iota(order_.begin(), order_.end(), 0);
  auto by_logit = [&](int32_t a, int32_t b) {
    const float la = work_[static_cast<size_t>(a)], lb = work_[static_cast<size_t>(b)];
    return la > lb || (la == lb && a < b);
  };
  SampledToken out;
  const size_t n_top = static_cast<size_t>(std::min<int64_t>(p_.n_logprobs, n_vocab_));

  size_t n = order_.size();
  if (p_.temperature <= 0.0f) {
    out.token = *std::min_element(order_.begin(), order_.end(), by_logit);
  } else {
    // Truncations work on candidates sorted by logit.
    if (p_.top_k > 0) n = std::min(n, static_cast<size_t>(p_.top_k));
    std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(std::max(n, n_top)), order_.end(), by_logit);
    if (p_.top_p < 1.0f || p_.min_p > 0.0f) {
      std::vector<double> probs(n);
      double sum = 0.0;
      for (size_t i = 0; i < n; ++i) sum += probs[i] = std::exp(static_cast<double>(work_[static_cast<size_t>(order_[i])]) - max_logit);
      size_t keep = n;
      if (p_.top_p < 1.0f) {
        double cum = 0.0;
        for (size_t i = 0; i < n; ++i) {
          cum += probs[i] / sum;
          if (cum >= p_.top_p) {
            keep = i + 1;
            break;
          }
        }
      }
      if (p_.min_p > 0.0f) {
        size_t k = 1;
        while (k < keep && probs[k] >= p_.min_p * probs[0]) ++k;
        keep = k;
      }
      n = std::max<size_t>(1, keep);
    }
    // Temperature, then a draw from the truncated distribution.
    std::vector<double> weights(n);
    const double top = work_[static_cast<size_t>(order_[0])];
    for (size_t i = 0; i < n; ++i) {
      weights[i] = std::exp((static_cast<double>(work_[static_cast<size_t>(order_[i])]) - top) / p_.temperature);
    }
    std::discrete_distribution<size_t> dist(weights.begin(), weights.end());
    out.token = order_[dist(rng_)];
  }
  out.logprob = logprob(out.token);
  if (n_top > 0) {
    if (p_.temperature <= 0.0f) {
      std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(n_top), order_.end(), by_logit);
    }
    for (size_t i = 0; i < n_top; ++i) out.top.push_back({order_[i], logprob(order_[i])});
  }
  return out;
}

}  // namespace engram::engine
