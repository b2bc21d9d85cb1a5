// Scalar reference kernels: the oracle. Plain loops, double accumulation where it keeps the
// reference meaningfully more accurate than the variants tested against it.
#pragma once

#include <cstdint>

namespace engram::kernels {

// See ops.h: RmsNorm.
void RmsNormRef(const float* x, const float* w, float* y, int64_t rows, int64_t n, float eps);

}  // namespace engram::kernels
