// Token sampling from logits: repetition / presence / frequency penalties, top-k, top-p, min-p,
// temperature, then a seeded draw (or argmax when temperature is 0). The order is the usual one
// (penalties first, then the truncations, then temperature), so settings mean what they mean in
// llama.cpp and the OpenAI API.
//
//   Sampler s({.temperature = 0.7f, .top_p = 0.9f, .seed = 42}, n_vocab);
//   SampledToken t = s.Sample(logits, history);   // history: ids generated or prompted so far
//
// Logprobs are log-softmax of the logits after penalties and before truncation and temperature (the
// model's own belief), for the chosen token and the `n_logprobs` most likely alternatives.
// A Sampler holds its random state: not thread-safe; one per sequence.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "absl/status/status.h"

namespace engram::engine {

struct SamplingParams {
  float temperature = 0.0f;        // 0: greedy (argmax)
  int32_t top_k = 0;               // 0: off
  float top_p = 1.0f;              // 1: off
  float min_p = 0.0f;              // 0: off; keep tokens with p >= min_p * p_max
  float repetition_penalty = 1.0f; // 1: off; divides positive logits, multiplies negative ones
  float presence_penalty = 0.0f;   // subtracted once per token present in the window
  float frequency_penalty = 0.0f;  // subtracted per occurrence in the window
  int32_t penalty_last_n = 64;     // window of history the penalties see (0: none, -1: all)
  uint64_t seed = 0;
  int32_t n_logprobs = 0;          // alternatives to report (0..20)
};

// INVALID_ARGUMENT naming the field when a value is out of range (negative temperature, top_p
// outside (0, 1], ...).
absl::Status ValidateSamplingParams(const SamplingParams& p);

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

struct SampledToken {
  int32_t token = 0;
  float logprob = 0.0f;
  std::vector<TokenLogprob> top;  // n_logprobs most likely, best first
};

class Sampler {
 public:
  Sampler(const SamplingParams& params, int64_t n_vocab);
  SampledToken Sample(const float* logits, std::span<const int32_t> history);

 private:
  SamplingParams p_;
  int64_t n_vocab_;
  std::mt19937_64 rng_;
  std::vector<float> work_;       // [n_vocab] adjusted logits
  std::vector<int32_t> order_;    // [n_vocab] candidate ids
};

}  // namespace engram::engine
