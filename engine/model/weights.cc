#include "engine/model/weights.h"

#include <algorithm>

#include "kernels/ops.h"

namespace engram::engine {
namespace {

std::string Dims(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

absl::StatusOr<const gguf::TensorInfo*> Find(const gguf::File& file, const std::string& name,
                                             const std::vector<int64_t>& want) {
  const gguf::TensorInfo* t = file.FindTensor(name);
  if (t == nullptr) return absl::NotFoundError("model: tensor '" + name + "' is missing");
  if (t->dims != want) {
    return absl::InvalidArgumentError("model: tensor '" + name + "' has dims " + Dims(t->dims) + ", expected " +
                                      Dims(want));
  }
  if (!kernels::IsSupported(t->type)) {
    return absl::InvalidArgumentError("model: tensor '" + name + "' has unsupported type " +
                                      std::string(kernels::DTypeName(t->type)));
  }
  return t;
}

}  // namespace

bool HasTensor(const gguf::File& file, const std::string& name) { return file.FindTensor(name) != nullptr; }

absl::StatusOr<kernels::MatrixView> WeightMatrix(const gguf::File& file, const std::string& name, int64_t rows,
                                                 int64_t cols) {
  return WeightStack(file, name, rows, cols, 1);
}

absl::StatusOr<kernels::MatrixView> WeightStack(const gguf::File& file, const std::string& name, int64_t rows,
                                                int64_t cols, int64_t n) {
  std::vector<int64_t> want = {cols, rows};
  if (n != 1) want.push_back(n);
  auto t = Find(file, name, want);
  if (!t.ok()) return t.status();
  kernels::MatrixView v;
  v.type = (*t)->type;
  v.data = file.TensorData(**t);
  v.rows = rows * n;
  v.cols = cols;
  v.row_stride = kernels::RowBytes((*t)->type, cols);
  return v;
}

absl::StatusOr<std::vector<float>> WeightVector(const gguf::File& file, const std::string& name, int64_t n) {
  auto t = Find(file, name, {n});
  if (!t.ok()) return t.status();
  std::vector<float> out(static_cast<size_t>(n));
  kernels::DequantizeRow((*t)->type, file.TensorData(**t), out.data(), n);
  return out;
}

void Linear(ThreadPool* pool, const kernels::MatrixView& w, const float* x, int64_t n, float* y) {
  const LinearJob job{w, x, n, y};
  LinearMany(pool, std::span<const LinearJob>(&job, 1));
}

void LinearMany(ThreadPool* pool, std::span<const LinearJob> jobs) {
  // Pack every job's activations once (in parallel over jobs and tokens), then split the rows of all
  // jobs over the pool; small chunks keep both cores busy on narrow matrices.
  std::vector<const void*> packed(jobs.size());
  std::vector<std::vector<uint8_t>> buffers(jobs.size());
  std::vector<int64_t> row_start(jobs.size() + 1, 0);
  for (size_t j = 0; j < jobs.size(); ++j) {
    const LinearJob& job = jobs[j];
    row_start[j + 1] = row_start[j] + job.w.rows;
    packed[j] = job.x;
    const kernels::DType act = kernels::ActivationType(job.w.type);
    if (act != kernels::DType::kF32) {
      buffers[j].resize(static_cast<size_t>(job.n * kernels::RowBytes(act, job.w.cols)));
      packed[j] = buffers[j].data();
    }
  }
  pool->ParallelFor(static_cast<int64_t>(jobs.size()), 1, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      const LinearJob& job = jobs[static_cast<size_t>(j)];
      if (!buffers[static_cast<size_t>(j)].empty()) {
        kernels::PackActivations(job.w.type, job.x, job.n, job.w.cols, buffers[static_cast<size_t>(j)].data());
      }
    }
  });
  pool->ParallelFor(row_start.back(), 16, [&](int64_t begin, int64_t end) {
    // Job holding row `begin`, then walk forward across job boundaries.
    size_t j = static_cast<size_t>(std::upper_bound(row_start.begin(), row_start.end(), begin) - row_start.begin() - 1);
    for (int64_t r = begin; r < end; ++j) {
      const LinearJob& job = jobs[j];
      const int64_t stop = std::min(end, row_start[j + 1]);
      kernels::MatMul(job.w, packed[j], job.n, job.y, r - row_start[j], stop - row_start[j]);
      r = stop;
    }
  });
}

}  // namespace engram::engine
