// The reference matmul. Quantized weights are multiplied with activations rounded the way an integer
// dot product sees them: each activation row is quantized to the weight type's companion format
// (Q8_0 for q4_0/q5_0/q8_0, Q8_1 for q4_1/q5_1, Q8_K for the k-quants, F16/BF16 for those weight
// types) and dequantized again, then everything is accumulated in double. This is the semantics the
// SIMD kernels implement with integer arithmetic, and the one llama.cpp's CPU backend has, so logits
// of quantized models agree with it closely instead of drifting at routing decisions.
#include <vector>

#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

DType ActivationType(DType weight) {
  switch (weight) {
    case DType::kQ4_0:
    case DType::kQ5_0:
    case DType::kQ8_0:
      return DType::kQ8_0;
    case DType::kQ4_1:
    case DType::kQ5_1:
      return DType::kQ8_1;
    case DType::kQ2_K:
    case DType::kQ3_K:
    case DType::kQ4_K:
    case DType::kQ5_K:
    case DType::kQ6_K:
      return DType::kQ8_K;
    case DType::kF16:
      return DType::kF16;
    case DType::kBF16:
      return DType::kBF16;
    default:
      return DType::kF32;
  }
}

}  // namespace

void MatMulRef(const MatrixView& w, const float* x, int64_t n, float* y, int64_t row_begin, int64_t row_end) {
  const DType act = ActivationType(w.type);
  std::vector<float> xq;  // [n, cols] activations as the dot product sees them
  if (act != DType::kF32) {
    xq.resize(static_cast<size_t>(n * w.cols));
    std::vector<uint8_t> packed(RowBytes(act, w.cols));
    for (int64_t t = 0; t < n; ++t) {
      QuantizeRowRef(act, x + t * w.cols, packed.data(), w.cols);
      DequantizeRowRef(act, packed.data(), xq.data() + t * w.cols, w.cols);
    }
    x = xq.data();
  }
  std::vector<float> wrow(static_cast<size_t>(w.cols));  // [cols] one dequantized weight row
  for (int64_t r = row_begin; r < row_end; ++r) {
    DequantizeRowRef(w.type, w.row(r), wrow.data(), w.cols);
    for (int64_t t = 0; t < n; ++t) {
      const float* xt = x + t * w.cols;  // [cols]
      double acc = 0.0;
      for (int64_t c = 0; c < w.cols; ++c) acc += static_cast<double>(wrow[static_cast<size_t>(c)]) * xt[c];
      y[t * w.rows + r] = static_cast<float>(acc);
    }
  }
}

}  // namespace engram::kernels
