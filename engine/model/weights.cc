#include "engine/model/weights.h"

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
  // Activations are packed once (in parallel over tokens), then output rows are split over the
  // pool; small chunks keep both cores busy on narrow matrices.
  const kernels::DType act = kernels::ActivationType(w.type);
  const void* packed = x;
  std::vector<uint8_t> buffer;
  if (act != kernels::DType::kF32) {
    const size_t row_bytes = static_cast<size_t>(kernels::RowBytes(act, w.cols));
    buffer.resize(static_cast<size_t>(n) * row_bytes);
    pool->ParallelFor(n, 4, [&](int64_t begin, int64_t end) {
      kernels::PackActivations(w.type, x + begin * w.cols, end - begin, w.cols, buffer.data() + begin * row_bytes);
    });
    packed = buffer.data();
  }
  pool->ParallelFor(w.rows, 16, [&](int64_t begin, int64_t end) { kernels::MatMul(w, packed, n, y, begin, end); });
}

}  // namespace engram::engine
