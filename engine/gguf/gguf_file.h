// GGUF model files (v2 and v3), read through mmap and validated once, at open.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<gguf::File> f, gguf::File::Open("model.gguf"));
//   ASSIGN_OR_RETURN(std::string arch, f->GetString("general.architecture"));
//   ASSIGN_OR_RETURN(uint32_t n_layer, f->GetUint32(arch + ".block_count"));
//   const gguf::TensorInfo* t = f->FindTensor("token_embd.weight");
//   const uint8_t* bytes = f->TensorData(*t);      // t->size_bytes bytes, inside the mapping
//
// Open() checks the magic, the version, every count against the bytes that remain, every string and
// array length, every metadata type, every tensor's dims, type, alignment, offset and size against the
// file size, and that tensors do not overlap; any failure is an INVALID_ARGUMENT (or DATA_LOSS for
// truncation) whose message names the file and the key or tensor, e.g.
// "gguf: m.gguf: tensor 'blk.3.attn_q_a.weight' ends past end of file (offset 0x..., size 0x...)".
// After Open() succeeds, nothing reads outside the mapping. Format spec: docs/formats/gguf.md.
//
// Thread-safety: a File is immutable after Open(); every const method is safe from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "kernels/dtype.h"

namespace engram::engine::gguf {

// GGUF metadata value types (numeric values as stored in the file).
enum class ValueType : uint32_t {
  kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5, kFloat32 = 6,
  kBool = 7, kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11, kFloat64 = 12,
};
std::string_view ValueTypeName(ValueType t);
// Bytes a value of type `t` occupies at the least in a file: the scalar's width, 8 for a string
// (its length prefix), 12 for an array (element type + count).
uint64_t ValueTypeMinBytes(ValueType t);

// One metadata value. Scalars are held widened; arrays hold one element type.
struct Value {
  ValueType type = ValueType::kUint8;
  ValueType array_type = ValueType::kUint8;  // element type when type == kArray
  std::variant<uint64_t, int64_t, double, bool, std::string, std::vector<uint64_t>, std::vector<int64_t>,
               std::vector<double>, std::vector<bool>, std::vector<std::string>>
      data;
};

struct TensorInfo {
  std::string name;
  std::vector<int64_t> dims;  // ggml order: dims[0] varies fastest (a row), as in the file
  kernels::DType type = kernels::DType::kF32;
  uint64_t offset = 0;        // relative to the start of the data section
  uint64_t size_bytes = 0;
  int64_t n_elements() const;
};

class File {
 public:
  // Maps and validates `path`.
  static absl::StatusOr<std::unique_ptr<File>> Open(const std::string& path);
  // Validates an in-memory image (fuzzing, tests). `name` is used in messages.
  static absl::StatusOr<std::unique_ptr<File>> FromBuffer(std::string bytes, std::string name);

  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  uint32_t version() const { return version_; }
  const std::string& name() const { return name_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t file_size() const { return size_; }

  // ---- metadata ---------------------------------------------------------------------------
  const Value* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  const std::vector<std::string>& keys() const { return key_order_; }  // file order

  // Typed getters. NOT_FOUND names a missing key; INVALID_ARGUMENT names a key of the wrong type or
  // a value out of range. Integer getters accept any integer type whose value fits.
  absl::StatusOr<std::string> GetString(std::string_view key) const;
  absl::StatusOr<uint32_t> GetUint32(std::string_view key) const;
  absl::StatusOr<int64_t> GetInt64(std::string_view key) const;
  absl::StatusOr<float> GetFloat32(std::string_view key) const;   // accepts f32 / f64
  absl::StatusOr<bool> GetBool(std::string_view key) const;
  absl::StatusOr<std::vector<std::string>> GetStringArray(std::string_view key) const;
  absl::StatusOr<std::vector<int64_t>> GetIntArray(std::string_view key) const;    // any integer element type
  absl::StatusOr<std::vector<float>> GetFloatArray(std::string_view key) const;    // f32 / f64 elements

  // ---- tensors ------------------------------------------------------------------------------
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* FindTensor(std::string_view name) const;
  const uint8_t* TensorData(const TensorInfo& t) const { return data_ + t.offset; }

 private:
  File() = default;
  std::string name_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  const uint8_t* base_ = nullptr;  // whole file
  uint64_t size_ = 0;
  const uint8_t* data_ = nullptr;  // start of the data section (aligned)
  void* mapping_ = nullptr;        // munmap on destruction (null for FromBuffer)
  std::string owned_;              // FromBuffer image
  std::unordered_map<std::string, Value> metadata_;
  std::vector<std::string> key_order_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;

  friend class FileParser;
};

}  // namespace engram::engine::gguf
