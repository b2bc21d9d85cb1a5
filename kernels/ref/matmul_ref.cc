// The reference matmul. Quantized weights are multiplied with activations rounded the way an integer
// dot product sees them: each activation row is packed once into the weight type's companion format
// (ActivationType: Q8_0 / Q8_1 / Q8_K, F16 / BF16) and dequantized again here, then everything is
// accumulated in double. This is the semantics the SIMD kernels implement with integer arithmetic,
// and the one llama.cpp's CPU backend has, so logits of quantized models agree with it closely
// instead of drifting at routing decisions.
#include <cstring>
#include <vector>

#include "kernels/ref/ref.h"

namespace engram::kernels {

void PackActivationsRef(DType weight, const float* x, int64_t n, int64_t cols, void* dst) {
  const DType act = ActivationType(weight);
  const size_t row_bytes = static_cast<size_t>(RowBytes(act, cols));
  auto* out = static_cast<uint8_t*>(dst);
  if (act == DType::kF32) {
    std::memcpy(out, x, static_cast<size_t>(n) * row_bytes);
    return;
  }
  for (int64_t t = 0; t < n; ++t) QuantizeRowRef(act, x + t * cols, out + static_cast<size_t>(t) * row_bytes, cols);
}

void MatMulRef(const MatrixView& w, const void* x, int64_t n, float* y, int64_t row_begin, int64_t row_end) {
  const DType act = ActivationType(w.type);
  const size_t row_bytes = static_cast<size_t>(RowBytes(act, w.cols));
  std::vector<float> xf(static_cast<size_t>(n * w.cols));  // [n, cols] activations as the dot sees them
  for (int64_t t = 0; t < n; ++t) {
    DequantizeRowRef(act, static_cast<const uint8_t*>(x) + static_cast<size_t>(t) * row_bytes, xf.data() + t * w.cols,
                     w.cols);
  }
  std::vector<float> wrow(static_cast<size_t>(w.cols));  // [cols] one dequantized weight row
  for (int64_t r = row_begin; r < row_end; ++r) {
    DequantizeRowRef(w.type, w.row(r), wrow.data(), w.cols);
    for (int64_t t = 0; t < n; ++t) {
      const float* xt = xf.data() + t * w.cols;  // [cols]
      double acc = 0.0;
      for (int64_t c = 0; c < w.cols; ++c) acc += static_cast<double>(wrow[static_cast<size_t>(c)]) * xt[c];
      y[t * w.rows + r] = static_cast<float>(acc);
    }
  }
}

}  // namespace engram::kernels
