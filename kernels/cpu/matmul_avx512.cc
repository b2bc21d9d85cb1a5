// MatMul with AVX-512 (F, BW, VL, DQ) + VNNI for q8_0 weights: two 32-blocks per 512-bit register
// and vpdpbusd (u8 x s8 -> s32, no 16-bit intermediate) on |q_w| and sign(q_x, q_w); the two
// blocks' scales multiply their halves of the lanes. Activations are re-laid out per 32-token tile
// (int8 rows contiguous, scales as ready-made lane vectors) and each weight block is reused by 8
// tokens. Other types (and rows of an odd number of blocks) fall back to the AVX2 kernel. Compiled
// with those flags only in this file; chosen at start-up when the CPU has them.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/simd.h"
#include "kernels/quant_blocks.h"

namespace engram::kernels {
namespace {

inline float HalfToFloat(uint16_t h) { return _cvtsh_ss(h); }

constexpr int kPrefetchBytes = 4096;  // as in the AVX2 kernel

// Activations of a token tile, re-laid out for 64-byte loads: the int8 values of each row
// contiguous and, per pair of 32-blocks, a 16-float scale vector [d0 x 8, d1 x 8] matching the
// dot's lanes.
struct TileActivations {
  std::vector<int8_t> q;     // [m][cols]
  std::vector<float> scale;  // [m][n_pairs][16]
};

// Dots of one q8_0 weight row (n_blocks even) with T tile tokens starting at `t`.
template <int T>
void DotQ8_0Vnni(const BlockQ8_0* w, const TileActivations& a, int64_t t, int64_t cols,
                 int64_t n_blocks, float* out) {
  const int64_t n_pairs = n_blocks / 2;
  __m512 acc[T];
  for (auto& v : acc) v = _mm512_setzero_ps();
  for (int64_t p = 0; p < n_pairs; ++p) {
    const int64_t b = 2 * p;
    _mm_prefetch(reinterpret_cast<const char*>(w + b) + kPrefetchBytes, _MM_HINT_T0);
    const __m512i qw = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b + 1].qs)), 1);
    const __m512i aw = _mm512_abs_epi8(qw);
    const __mmask64 neg = _mm512_movepi8_mask(qw);  // lanes where q_w < 0
    const __m512 dw = _mm512_insertf32x8(_mm512_set1_ps(HalfToFloat(w[b].d)),
                                         _mm256_set1_ps(HalfToFloat(w[b + 1].d)), 1);
    for (int k = 0; k < T; ++k) {
      const __m512i qx = _mm512_loadu_si512(a.q.data() + (t + k) * cols + 32 * b);
      const __m512i sx =
          _mm512_mask_sub_epi8(qx, neg, _mm512_setzero_si512(), qx);  // sign(q_x, q_w)
      const __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), aw, sx);
      const __m512 scale =
          _mm512_mul_ps(dw, _mm512_loadu_ps(a.scale.data() + ((t + k) * n_pairs + p) * 16));
      acc[k] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), scale, acc[k]);
    }
  }
  for (int k = 0; k < T; ++k) out[k] = _mm512_reduce_add_ps(acc[k]);
}

}  // namespace

void MatMulAvx512(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin,
                  int64_t row_end) {
  const int64_t n_blocks = w.cols / kQK;
  if (w.type != DType::kQ8_0 || n_blocks % 2 != 0) {
    MatMulAvx2(w, x, n, y, row_begin, row_end);
    return;
  }
  const size_t x_row_bytes = static_cast<size_t>(RowBytes(DType::kQ8_0, w.cols));
  const int64_t n_pairs = n_blocks / 2;
  const auto* xb = static_cast<const uint8_t*>(x);
  constexpr int64_t kTokenTile = 32;  // activations of a tile stay in cache while the rows pass
  constexpr int kGroup = 8;           // tokens per weight-block load
  TileActivations a;
  for (int64_t t0 = 0; t0 < n; t0 += kTokenTile) {
    const int64_t m = std::min(kTokenTile, n - t0);
    a.q.resize(static_cast<size_t>(m * w.cols));
    a.scale.resize(static_cast<size_t>(m * n_pairs * 16));
    for (int64_t t = 0; t < m; ++t) {
      const auto* blocks =
          reinterpret_cast<const BlockQ8_0*>(xb + static_cast<size_t>(t0 + t) * x_row_bytes);
      for (int64_t b = 0; b < n_blocks; ++b) {
        std::memcpy(a.q.data() + t * w.cols + 32 * b, blocks[b].qs, kQK);
        std::fill_n(a.scale.data() + (t * n_pairs + b / 2) * 16 + 8 * (b % 2), 8,
                    HalfToFloat(blocks[b].d));
      }
    }
    for (int64_t r = row_begin; r < row_end; ++r) {
      const auto* wr = reinterpret_cast<const BlockQ8_0*>(w.row(r));
      for (int64_t t = 0; t < m; t += kGroup) {
        float out[kGroup];
        const int g = static_cast<int>(std::min<int64_t>(kGroup, m - t));
        switch (g) {
          case 8:
            DotQ8_0Vnni<8>(wr, a, t, w.cols, n_blocks, out);
            break;
          case 7:
            DotQ8_0Vnni<7>(wr, a, t, w.cols, n_blocks, out);
            break;
          case 6:
            DotQ8_0Vnni<6>(wr, a, t, w.cols, n_blocks, out);
            break;
          case 5:
            DotQ8_0Vnni<5>(wr, a, t, w.cols, n_blocks, out);
            break;
          case 4:
            DotQ8_0Vnni<4>(wr, a, t, w.cols, n_blocks, out);
            break;
          case 3:
            DotQ8_0Vnni<3>(wr, a, t, w.cols, n_blocks, out);
            break;
          case 2:
            DotQ8_0Vnni<2>(wr, a, t, w.cols, n_blocks, out);
            break;
          default:
            DotQ8_0Vnni<1>(wr, a, t, w.cols, n_blocks, out);
            break;
        }
        for (int k = 0; k < g; ++k) y[(t0 + t + k) * w.rows + r] = out[k];
      }
    }
  }
}

}  // namespace engram::kernels
