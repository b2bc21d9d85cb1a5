// The numerical ops the engine calls. Each op is declared once here; the implementation variant
// (ref, AVX2, AVX-512, ...) is chosen once, at first use, from the CPU's features, and can be forced
// to the scalar reference with ENGRAM_KERNELS=ref. Shapes are validated by callers (the engine checks
// shapes once when it builds a graph); ops do not return errors. Thread-safe: ops are pure functions
// of their arguments.
#pragma once

#include <cstdint>
#include <string_view>

#include "kernels/dtype.h"
#include "kernels/matrix.h"

namespace engram::kernels {

// y[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * w[:]
// x, y: [rows, n] row-major (may alias); w: [n].
void RmsNorm(const float* x, const float* w, float* y, int64_t rows, int64_t n, float eps);

// dst[0 .. n) = the n elements of a packed row of `type` at src (RowBytes(type, n) bytes, any
// alignment). `type` must be IsSupported() and n a multiple of BlockElems(type).
void DequantizeRow(DType type, const void* src, float* dst, int64_t n);

// Packs n activation rows of `cols` floats for a matmul with `weight`-typed weights:
// dst is [n][RowBytes(ActivationType(weight), cols)] (for f32 a plain copy). Done once per matmul,
// whatever the number of threads that then share the output rows.
void PackActivations(DType weight, const float* x, int64_t n, int64_t cols, void* dst);

// y[t, r] = sum_c w[r, c] * x[t, c] for output rows r in [row_begin, row_end) and every token t.
// x: n rows packed by PackActivations(w.type, ...); y: [n, w.rows] (only the given rows are
// written). Callers split rows over threads.
void MatMul(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin, int64_t row_end);

// x[0 .. n) = softmax(x) in place (max-subtracted).
void Softmax(float* x, int64_t n);

// out = silu(gate) * up elementwise, silu(g) = g / (1 + exp(-g)). out may alias gate or up.
void SwiGlu(const float* gate, const float* up, float* out, int64_t n);

// Rotates pairs (x[2i], x[2i+1]) by the angle whose (cos, sin) is cos_sin[2i], cos_sin[2i+1]
// (magnitude included): the "normal" RoPE layout. cos_sin: [n_pairs][2].
void RotatePairs(float* x, const float* cos_sin, int64_t n_pairs);

// Causal attention of n_head query heads over one shared key/value head (MLA's absorbed form):
// q: [n_q, n_head, d_k]; kv: [n_kv, d_k] holding keys, whose first d_v columns are also the values;
// query t sits at absolute position pos0 + t and sees kv rows 0 ..= pos0 + t (and < n_kv);
// out: [n_q, n_head, d_v] = softmax(scale * q k^T) v.
void AttentionSingleKv(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                       int64_t d_v, int64_t pos0, float scale, float* out);

// The variant the dispatcher picked ("ref", "avx2", "avx512").
std::string_view ActiveVariant();

}  // namespace engram::kernels
