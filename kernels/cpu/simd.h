// Declarations of the CPU SIMD kernel variants. Each lives in a file compiled with its own ISA flags
// (kernels/CMakeLists.txt) and is only called when GetCpuFeatures() says the CPU has them.
#pragma once

#include <cstdint>

#include "kernels/matrix.h"

namespace engram::kernels {

// AVX2 + FMA + F16C. See ops.h: MatMul.
void MatMulAvx2(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin, int64_t row_end);

}  // namespace engram::kernels
