// Looking up and checking a model's tensors by name and shape, and the parallel linear layer.
//
//   ASSIGN_OR_RETURN(kernels::MatrixView wq, WeightMatrix(file, "blk.0.attn_q.weight", rows, cols));
//   Linear(pool, wq, x, n_tokens, y);                 // y[t, r] = sum_c wq[r, c] * x[t, c]
//
// Errors name the tensor and say what was expected ("tensor 'blk.0.attn_q.weight' has dims [64, 8],
// expected [128, 64]"). Views point into the file's mapping, which must outlive them.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/gguf/gguf_file.h"
#include "kernels/matrix.h"
#include "support/thread_pool.h"

namespace engram::engine {

// A 2-D tensor with ggml dims [cols, rows].
absl::StatusOr<kernels::MatrixView> WeightMatrix(const gguf::File& file, const std::string& name, int64_t rows,
                                                 int64_t cols);
// A 3-D tensor with ggml dims [cols, rows, n]: `n` matrices of `rows` x `cols` stacked, as one view of
// rows * n rows (matrix i is RowRange(i * rows, rows)).
absl::StatusOr<kernels::MatrixView> WeightStack(const gguf::File& file, const std::string& name, int64_t rows,
                                                int64_t cols, int64_t n);
// A 1-D tensor of `n` elements, converted to float.
absl::StatusOr<std::vector<float>> WeightVector(const gguf::File& file, const std::string& name, int64_t n);

bool HasTensor(const gguf::File& file, const std::string& name);

// y[t, r] = sum_c w[r, c] * x[t, c]; x: [n, w.cols], y: [n, w.rows]. Output rows split over the pool.
void Linear(ThreadPool* pool, const kernels::MatrixView& w, const float* x, int64_t n, float* y);

// Several independent linear layers in one parallel pass (per-head projections, the experts of a
// step): the rows of all jobs are split over the pool together, so small matrices still keep every
// thread busy and the pool is entered once.
struct LinearJob {
  kernels::MatrixView w;
  const float* x;  // [n, w.cols]
  int64_t n;
  float* y;        // [n, w.rows]
};
void LinearMany(ThreadPool* pool, std::span<const LinearJob> jobs);

}  // namespace engram::engine
