// A read-only view of a weight matrix stored row by row in any supported DType: `rows` output
// features, each a row of `cols` input features (ggml's layout: dims[0] = cols varies fastest).
// `row_stride` is the distance in bytes between rows (RowBytes(type, cols) when packed). The view
// owns nothing; the model file's mapping (or the model) keeps the bytes alive.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dtype.h"

namespace engram::kernels {

struct MatrixView {
  DType type = DType::kF32;
  const uint8_t* data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
  size_t row_stride = 0;

  const uint8_t* row(int64_t r) const { return data + static_cast<size_t>(r) * row_stride; }
  // Rows [begin, begin + n) as a matrix of their own.
  MatrixView RowRange(int64_t begin, int64_t n) const {
    return MatrixView{type, row(begin), n, cols, row_stride};
  }
};

}  // namespace engram::kernels
