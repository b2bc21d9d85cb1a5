// Scalar reference kernels: the oracle. Plain loops, double accumulation where it keeps the
// reference meaningfully more accurate than the variants tested against it.
#pragma once

#include <cstdint>

#include "kernels/dtype.h"
#include "kernels/matrix.h"

namespace engram::kernels {

// See ops.h: RmsNorm.
void RmsNormRef(const float* x, const float* w, float* y, int64_t rows, int64_t n, float eps);

// See ops.h: DequantizeRow. `type` must be IsSupported() and n a multiple of BlockElems(type)
// (aborts otherwise: a programmer error).
void DequantizeRowRef(DType type, const void* src, float* dst, int64_t n);

// Quantizes n floats (a multiple of BlockElems(type)) into RowBytes(type, n) bytes at dst, for any
// IsSupported() type (aborts otherwise). Deterministic. Per-format rules, with x the input block:
//   q8_0 / q8_1: d = amax / 127, q = round(x * (1 / d)), d stored as fp16 (ggml's reference rule,
//                bit for bit); q8_1 also stores s = d * sum(q).
//   q4_0 / q5_0: d = -max / 8 (16) where max is the signed value of largest magnitude,
//                q = min(15 (31), trunc(x / d + 8.5 (16.5))) (ggml's reference rule).
//   q4_1 / q5_1: d = (max - min) / 15 (31), m = min, both fp16; q = round((x - m) / d) clamped,
//                computed with the stored fp16 d and m.
//   q4_K / q5_K: per sub-block of 32, a min m_j <= 0 and a scale s_j covering [m_j, max_j]; the
//                6-bit quantized mins and scales are rounded up so that every sub-block stays
//                inside its grid, then q = round((x + dmin * lm_j) / (d * ls_j)).
//   q6_K:        per sub-block of 16, s_j = amax_j / 31, 8-bit scales rounded up,
//                q = round(x / (d * ls_j)).
//   q8_K:        d = amax / 127 (float), q = round(x / d), bsums filled.
//   f16 / bf16:  round to nearest even; f32 / f64 exact widening; i8..i64 round to nearest and
//                saturate.
void QuantizeRowRef(DType type, const float* src, void* dst, int64_t n);

namespace internal {
// Aborts naming the type and length: a programmer error (callers validate tensors at the boundary).
[[noreturn]] void DieBadRow(const char* what, DType type, int64_t n);
}  // namespace internal

// See ops.h for each of these.
void PackActivationsRef(DType weight, const float* x, int64_t n, int64_t cols, void* dst);
void MatMulRef(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin, int64_t row_end);
void SoftmaxRef(float* x, int64_t n);
void SwiGluRef(const float* gate, const float* up, float* out, int64_t n);
void RotatePairsRef(float* x, const float* cos_sin, int64_t n_pairs);
void AttentionSingleKvRef(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                          int64_t d_v, int64_t pos0, float scale, float* out);

}  // namespace engram::kernels
