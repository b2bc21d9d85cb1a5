// Rotary position embedding tables, with YaRN context extension as llama.cpp applies it.
//
// Pairs (x[2i], x[2i+1]) of the first n_rot dims are rotated by theta_i(p) = p * base^(-2i / n_rot)
// (the "normal" RoPE layout, used by deepseek2). With YaRN (Peng et al. 2023, "YaRN: Efficient Context
// Window Extension of Large Language Models", §3): theta is blended between interpolated (theta *
// freq_scale) and extrapolated values by a linear ramp over dims between corr_low and corr_high, and
// cos/sin are scaled by mscale = attn_factor * (1 + 0.1 ln(1 / freq_scale)).
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

namespace engram::engine {

struct RopeParams {
  int64_t n_rot = 0;          // rotated dims (even)
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;    // 1 / scaling factor
  float ext_factor = 0.0f;    // 1 for YaRN, 0 otherwise
  float attn_factor = 1.0f;   // magnitude multiplier before the YaRN correction
  float beta_fast = 32.0f;
  float beta_slow = 1.0f;
  int64_t n_ctx_orig = 0;     // original training context (YaRN)
};

class RopeTable {
 public:
  explicit RopeTable(const RopeParams& params);

  int64_t n_rot() const { return params_.n_rot; }
  // cos_sin: [n_rot / 2][2] (cos, sin) for position `pos`.
  void Fill(int64_t pos, float* cos_sin) const;

 private:
  RopeParams params_;
  float corr_low_ = 0.0f, corr_high_ = 0.0f;
};

}  // namespace engram::engine
