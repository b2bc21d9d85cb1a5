#include <cmath>

#include "kernels/ref/ref.h"

namespace engram::kernels {

void RmsNormRef(const float* x, const float* w, float* y, int64_t rows, int64_t n, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;  // [n]
    float* yr = y + r * n;        // [n]
    double sum_sq = 0.0;
    for (int64_t i = 0; i < n; ++i) sum_sq += static_cast<double>(xr[i]) * xr[i];
    const float scale = n > 0 ? static_cast<float>(1.0 / std::sqrt(sum_sq / n + eps)) : 0.0f;
    for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] * scale * w[i];
  }
}

}  // namespace engram::kernels
