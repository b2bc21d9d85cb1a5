// Declarations of the CPU SIMD kernel variants. Each lives in a file compiled with its own ISA flags
// (kernels/CMakeLists.txt) and is only called when GetCpuFeatures() says the CPU has them.
#pragma once

#include <cstdint>

#include "kernels/matrix.h"

namespace engram::kernels {

// AVX2 + FMA + F16C. See ops.h: MatMul.
void MatMulAvx2(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin, int64_t row_end);

// AVX2 (q8_0 and q8_K bit for bit as the reference; other formats through it). See ops.h.
void PackActivationsAvx2(DType weight, const float* x, int64_t n, int64_t cols, void* dst);

// AVX-512 F/BW/VL/DQ + VNNI (q8_0; other types go to MatMulAvx2). See ops.h: MatMul.
void MatMulAvx512(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin, int64_t row_end);

// AVX2 + FMA. See ops.h: AttentionSingleKv.
void AttentionSingleKvAvx2(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                           int64_t d_v, int64_t pos0, float scale, float* out);

// AVX-512 F. See ops.h: AttentionSingleKv.
void AttentionSingleKvAvx512(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                             int64_t d_v, int64_t pos0, float scale, float* out);

}  // namespace engram::kernels
