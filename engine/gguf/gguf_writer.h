// Writes GGUF v3 (or v2) files: the tests' fixtures, the fuzz seeds and the benchmarks' random
// models.
//
//   gguf::Writer w;
//   w.AddString("general.architecture", "deepseek2");
//   w.AddUint32("deepseek2.block_count", 2);
//   w.AddStringArray("tokenizer.ggml.tokens", {"a", "b"});
//   w.AddTensor("token_embd.weight", kernels::DType::kF32, {64, 512}, std::move(bytes));
//   RETURN_IF_ERROR(w.Write("/tmp/tiny.gguf"));  // or ASSIGN_OR_RETURN(std::string image,
//   w.Serialize())
//
// Metadata is written in insertion order, then tensor infos in insertion order, then the data
// section: each tensor at the next multiple of the alignment (general.alignment, default 32),
// zero-padded, the file ending with the last tensor's last byte (or the last tensor info when there
// are no tensors). The Add* calls only record; every
// check (duplicate key or tensor name, value / type mismatch, integer out of range for its type,
// dims, byte count = RowBytes(type, dims[0]) * rows, alignment) happens in Serialize() / Write(),
// which return INVALID_ARGUMENT naming the key or tensor. Format spec: docs/formats/gguf.md.
//
// Thread-compatible: one Writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/gguf/gguf_file.h"
#include "kernels/dtype.h"

namespace engram::engine::gguf {

class Writer {
 public:
  Writer() = default;

  // 2 or 3 (default 3); other values make Serialize() fail.
  void SetVersion(uint32_t version) { version_ = version; }
  // Records general.alignment (u32) in the metadata (or updates it if already recorded). Must be a
  // power of two.
  void SetAlignment(uint32_t alignment);

  // Any value: scalars in the variant alternative of their kind (uint64_t for u8..u64, int64_t for
  // i8..i64, double for f32 / f64, bool, std::string), arrays as the matching vector with
  // array_type set. f32 values are narrowed to float when written.
  void Add(std::string key, Value value);

  void AddUint8(std::string key, uint8_t v) {
    AddScalar(std::move(key), ValueType::kUint8, uint64_t{v});
  }
  void AddInt8(std::string key, int8_t v) {
    AddScalar(std::move(key), ValueType::kInt8, int64_t{v});
  }
  void AddUint16(std::string key, uint16_t v) {
    AddScalar(std::move(key), ValueType::kUint16, uint64_t{v});
  }
  void AddInt16(std::string key, int16_t v) {
    AddScalar(std::move(key), ValueType::kInt16, int64_t{v});
  }
  void AddUint32(std::string key, uint32_t v) {
    AddScalar(std::move(key), ValueType::kUint32, uint64_t{v});
  }
  void AddInt32(std::string key, int32_t v) {
    AddScalar(std::move(key), ValueType::kInt32, int64_t{v});
  }
  void AddUint64(std::string key, uint64_t v) { AddScalar(std::move(key), ValueType::kUint64, v); }
  void AddInt64(std::string key, int64_t v) { AddScalar(std::move(key), ValueType::kInt64, v); }
  void AddFloat32(std::string key, float v) {
    AddScalar(std::move(key), ValueType::kFloat32, double{v});
  }
  void AddFloat64(std::string key, double v) { AddScalar(std::move(key), ValueType::kFloat64, v); }
  void AddBool(std::string key, bool v) { AddScalar(std::move(key), ValueType::kBool, v); }
  void AddString(std::string key, std::string v) {
    AddScalar(std::move(key), ValueType::kString, std::move(v));
  }

  void AddStringArray(std::string key, std::vector<std::string> v);
  void AddInt32Array(std::string key, const std::vector<int32_t>& v);
  void AddUint32Array(std::string key, const std::vector<uint32_t>& v);
  void AddFloat32Array(std::string key, const std::vector<float>& v);
  void AddBoolArray(std::string key, std::vector<bool> v);

  // `dims` in ggml order (dims[0] is a row); `bytes` holds the tensor in `type`'s packed layout.
  void AddTensor(std::string name, kernels::DType type, std::vector<int64_t> dims,
                 std::string bytes);
  // Shorthand for an f32 tensor from floats ([dims[n-1], ..., dims[0]] row-major).
  void AddTensorF32(std::string name, std::vector<int64_t> dims, const std::vector<float>& values);

  // The whole file image.
  absl::StatusOr<std::string> Serialize() const;
  // Streams the file to a temporary file beside `path`, fsyncs it and renames it over `path`:
  // readers see the old file or the complete new one.
  absl::Status Write(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    kernels::DType type;
    std::vector<int64_t> dims;
    std::string bytes;
  };
  class Sink;

  template <typename T>
  void AddScalar(std::string key, ValueType type, T v) {
    Value value;
    value.type = type;
    value.data = std::move(v);
    Add(std::move(key), std::move(value));
  }
  absl::Status Validate() const;
  absl::Status Emit(Sink& sink) const;

  uint32_t version_ = 3;
  std::vector<std::pair<std::string, Value>> metadata_;
  std::vector<Tensor> tensors_;
};

}  // namespace engram::engine::gguf
