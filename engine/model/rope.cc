#include "engine/model/rope.h"

#include <algorithm>
#include <cmath>

namespace engram::engine {
namespace {

// The dim (in pairs counting from 0) at which a rotation of `n_rot_turns` full turns over the
// original context happens (YaRN's correction range, in llama.cpp's formulation).
float CorrDim(int64_t n_dims, int64_t n_ctx_orig, float n_rot_turns, float base) {
  return static_cast<float>(n_dims) * std::log(static_cast<float>(n_ctx_orig) / (n_rot_turns * 2.0f * static_cast<float>(M_PI))) /
         (2.0f * std::log(base));
}

}  // namespace

RopeTable::RopeTable(const RopeParams& params) : params_(params) {
  if (params_.ext_factor != 0.0f && params_.n_ctx_orig > 0) {
    float start = std::floor(CorrDim(params_.n_rot, params_.n_ctx_orig, params_.beta_fast, params_.freq_base));
    float end = std::ceil(CorrDim(params_.n_rot, params_.n_ctx_orig, params_.beta_slow, params_.freq_base));
    corr_low_ = std::max(0.0f, start);
    corr_high_ = std::min(static_cast<float>(params_.n_rot - 1), end);
  }
}

void RopeTable::Fill(int64_t pos, float* cos_sin) const {
  const int64_t n_pairs = params_.n_rot / 2;
  const float theta_scale = std::pow(params_.freq_base, -2.0f / static_cast<float>(params_.n_rot));
  float theta_extrap = static_cast<float>(pos);
  for (int64_t i = 0; i < n_pairs; ++i) {
    const float theta_interp = params_.freq_scale * theta_extrap;
    float theta = theta_interp;
    float mscale = params_.attn_factor;
    if (params_.ext_factor != 0.0f) {
      const float y = (static_cast<float>(i) - corr_low_) / std::max(0.001f, corr_high_ - corr_low_);
      const float ramp = 1.0f - std::min(1.0f, std::max(0.0f, y));
      const float mix = ramp * params_.ext_factor;
      theta = theta_interp * (1.0f - mix) + theta_extrap * mix;
      mscale *= 1.0f + 0.1f * std::log(1.0f / params_.freq_scale);
    }
    cos_sin[2 * i] = std::cos(theta) * mscale;
    cos_sin[2 * i + 1] = std::sin(theta) * mscale;
    theta_extrap *= theta_scale;
  }
}

}  // namespace engram::engine
