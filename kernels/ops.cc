#include "kernels/ops.h"

#include <cstdlib>
#include <cstring>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/simd.h"
#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

struct Table {
  const char* variant;
  void (*rms_norm)(const float*, const float*, float*, int64_t, int64_t, float);
  void (*dequantize_row)(DType, const void*, float*, int64_t);
  void (*pack_activations)(DType, const float*, int64_t, int64_t, void*);
  void (*matmul)(const MatrixView&, const void*, int64_t, float*, int64_t, int64_t);
  void (*softmax)(float*, int64_t);
  void (*swiglu)(const float*, const float*, float*, int64_t);
  void (*rotate_pairs)(float*, const float*, int64_t);
  void (*attention_single_kv)(const float*, int64_t, int64_t, int64_t, const float*, int64_t, int64_t, int64_t, float,
                              float*);
};

Table Choose() {
  Table ref{"ref",     RmsNormRef,    DequantizeRowRef,         PackActivationsRef, MatMulRef,
            SoftmaxRef, SwiGluRef,     RotatePairsRef,           AttentionSingleKvRef};
  const char* force = std::getenv("ENGRAM_KERNELS");
  if (force != nullptr && std::strcmp(force, "ref") == 0) return ref;
  Table best = ref;
  const CpuFeatures& cpu = GetCpuFeatures();
  if (cpu.avx2 && cpu.fma && cpu.f16c) {
    best.variant = "avx2";
    best.matmul = MatMulAvx2;
    best.pack_activations = PackActivationsAvx2;
    best.attention_single_kv = AttentionSingleKvAvx2;
    if (cpu.avx512f && cpu.avx512bw && cpu.avx512vl && cpu.avx512dq && cpu.avx512vnni) {
      best.variant = "avx512";
      best.matmul = MatMulAvx512;
      best.attention_single_kv = AttentionSingleKvAvx512;
    }
  }
  return best;
}

const Table& Active() {
  static const Table table = Choose();
  return table;
}

}  // namespace

void RmsNorm(const float* x, const float* w, float* y, int64_t rows, int64_t n, float eps) {
  Active().rms_norm(x, w, y, rows, n, eps);
}

void DequantizeRow(DType type, const void* src, float* dst, int64_t n) {
  Active().dequantize_row(type, src, dst, n);
}

void PackActivations(DType weight, const float* x, int64_t n, int64_t cols, void* dst) {
  Active().pack_activations(weight, x, n, cols, dst);
}

void MatMul(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin, int64_t row_end) {
  Active().matmul(w, x, n, y, row_begin, row_end);
}

void Softmax(float* x, int64_t n) { Active().softmax(x, n); }

void SwiGlu(const float* gate, const float* up, float* out, int64_t n) { Active().swiglu(gate, up, out, n); }

void RotatePairs(float* x, const float* cos_sin, int64_t n_pairs) { Active().rotate_pairs(x, cos_sin, n_pairs); }

void AttentionSingleKv(const float* q, int64_t n_q, int64_t n_head, int64_t d_k, const float* kv, int64_t n_kv,
                       int64_t d_v, int64_t pos0, float scale, float* out) {
  Active().attention_single_kv(q, n_q, n_head, d_k, kv, n_kv, d_v, pos0, scale, out);
}

std::string_view ActiveVariant() { return Active().variant; }

}  // namespace engram::kernels
