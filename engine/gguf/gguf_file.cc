#include "engine/gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "support/file_util.h"
#include "support/status.h"

namespace engram::engine::gguf {
namespace {

using kernels::DType;

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};
constexpr uint32_t kMaxDims = 4;
// The fewest bytes one metadata entry / tensor info can take: they bound the counts in the header
// before anything is allocated from them.
constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;                  // key length, 1-byte key, type, u8
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;  // name length, name, n_dims, dim,
                                                                 // type, offset
constexpr uint64_t kMaxInt64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

enum class Kind { kUnsigned, kSigned, kFloat, kBool, kString, kArray, kInvalid };

Kind KindOf(ValueType t) {
  switch (t) {
    case ValueType::kUint8:
    case ValueType::kUint16:
    case ValueType::kUint32:
    case ValueType::kUint64:
      return Kind::kUnsigned;
    case ValueType::kInt8:
    case ValueType::kInt16:
    case ValueType::kInt32:
    case ValueType::kInt64:
      return Kind::kSigned;
    case ValueType::kFloat32:
    case ValueType::kFloat64:
      return Kind::kFloat;
    case ValueType::kBool:
      return Kind::kBool;
    case ValueType::kString:
      return Kind::kString;
    case ValueType::kArray:
      return Kind::kArray;
  }
  return Kind::kInvalid;
}


bool IsValidValueType(uint32_t t) { return t <= static_cast<uint32_t>(ValueType::kFloat64); }

std::string TypeText(uint32_t t) {
  return IsValidValueType(t) ? std::string(ValueTypeName(static_cast<ValueType>(t)))
                             : "unknown (" + std::to_string(t) + ")";
}

}  // namespace

uint64_t ValueTypeMinBytes(ValueType t) {
  switch (t) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kBool:
      return 1;
    case ValueType::kUint16:
    case ValueType::kInt16:
      return 2;
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kFloat32:
      return 4;
    case ValueType::kUint64:
    case ValueType::kInt64:
    case ValueType::kFloat64:
    case ValueType::kString:
      return 8;
    case ValueType::kArray:
      return 12;
  }
  return 1;
}

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kUint8:
      return "u8";
    case ValueType::kInt8:
      return "i8";
    case ValueType::kUint16:
      return "u16";
    case ValueType::kInt16:
      return "i16";
    case ValueType::kUint32:
      return "u32";
    case ValueType::kInt32:
      return "i32";
    case ValueType::kFloat32:
      return "f32";
    case ValueType::kBool:
      return "bool";
    case ValueType::kString:
      return "string";
    case ValueType::kArray:
      return "array";
    case ValueType::kUint64:
      return "u64";
    case ValueType::kInt64:
      return "i64";
    case ValueType::kFloat64:
      return "f64";
  }
  return "unknown";
}

int64_t TensorInfo::n_elements() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;  // the reader checked that the product fits
  return n;
}

// Parses and validates the image at file->base_ / size_, filling the rest of `file`. Every read is
// bounds-checked against the bytes that remain.
class FileParser {
 public:
  explicit FileParser(File* file) : f_(file) {}

  absl::Status Parse() {
    RETURN_IF_ERROR(ParseHeader());
    for (uint64_t i = 0; i < n_kv_; ++i) RETURN_IF_ERROR(ParseKeyValue(i));
    for (uint64_t i = 0; i < n_tensors_; ++i) RETURN_IF_ERROR(ParseTensorInfo(i));
    return PlaceTensors();
  }

 private:
  absl::Status Invalid(const std::string& msg) const {
    return absl::InvalidArgumentError("gguf: " + f_->name_ + ": " + msg);
  }
  absl::Status Truncated(const std::string& what) const {
    return absl::DataLossError("gguf: " + f_->name_ + ": truncated: " + what + " at offset " +
                               Hex(pos_) + " needs more than the " + Hex(Remaining()) +
                               " bytes left");
  }

  uint64_t Remaining() const { return f_->size_ - pos_; }

  // Little-endian unsigned of `width` bytes (1, 2, 4, 8).
  absl::StatusOr<uint64_t> ReadUnsigned(uint64_t width, const std::string& what) {
    if (width > Remaining()) return Truncated(what);
    uint64_t v = 0;
    for (uint64_t i = 0; i < width; ++i) v |= static_cast<uint64_t>(f_->base_[pos_ + i]) << (8 * i);
    pos_ += width;
    return v;
  }

  absl::StatusOr<uint32_t> ReadU32(const std::string& what) {
    ASSIGN_OR_RETURN(uint64_t v, ReadUnsigned(4, what));
    return static_cast<uint32_t>(v);
  }

  absl::StatusOr<std::string> ReadString(const std::string& what) {
    ASSIGN_OR_RETURN(uint64_t len, ReadUnsigned(8, what + " length"));
    if (len > Remaining()) {
      return absl::DataLossError("gguf: " + f_->name_ + ": truncated: " + what + " of length " +
                                 Hex(len) + " at offset " + Hex(pos_) + " runs past end of file");
    }
    std::string s(reinterpret_cast<const char*>(f_->base_ + pos_), static_cast<size_t>(len));
    pos_ += len;
    return s;
  }

  absl::Status ParseHeader() {
    if (f_->size_ < sizeof kMagic) {
      return absl::DataLossError("gguf: " + f_->name_ + ": truncated: file of " +
                                 std::to_string(f_->size_) + " bytes has no gguf header");
    }
    if (std::memcmp(f_->base_, kMagic, sizeof kMagic) != 0) {
      char got[16];
      std::snprintf(got, sizeof got, "%02x %02x %02x %02x", f_->base_[0], f_->base_[1],
                    f_->base_[2], f_->base_[3]);
      return Invalid(std::string("not a gguf file (magic bytes ") + got + ", expected 'GGUF')");
    }
    pos_ = sizeof kMagic;
    ASSIGN_OR_RETURN(uint32_t version, ReadU32("header version"));
    if (version == 1) {
      return Invalid(
          "gguf version 1 is not supported (versions 2 and 3 are); re-convert the model");
    }
    if (version == 0x02000000u || version == 0x03000000u) {
      return Invalid("big-endian gguf files are not supported");
    }
    if (version != 2 && version != 3) {
      return Invalid("unsupported gguf version " + std::to_string(version) + " (2 and 3 are)");
    }
    f_->version_ = version;
    ASSIGN_OR_RETURN(n_tensors_, ReadUnsigned(8, "header tensor count"));
    ASSIGN_OR_RETURN(n_kv_, ReadUnsigned(8, "header metadata count"));
    const uint64_t left = Remaining();
    if (n_kv_ > left / kMinKvBytes) {
      return absl::DataLossError("gguf: " + f_->name_ + ": header claims " + std::to_string(n_kv_) +
                                 " metadata entries but only " + Hex(left) + " bytes follow");
    }
    if (n_tensors_ > (left - n_kv_ * kMinKvBytes) / kMinTensorInfoBytes) {
      return absl::DataLossError("gguf: " + f_->name_ + ": header claims " +
                                 std::to_string(n_tensors_) + " tensors but only " + Hex(left) +
                                 " bytes follow");
    }
    return absl::OkStatus();
  }

  // One value of `type` (not an array element of an array: nested arrays are refused).
  absl::Status ReadScalar(ValueType type, const std::string& what, Value* out) {
    switch (KindOf(type)) {
      case Kind::kUnsigned: {
        ASSIGN_OR_RETURN(uint64_t v, ReadUnsigned(ValueTypeMinBytes(type), what));
        out->data = v;
        return absl::OkStatus();
      }
      case Kind::kSigned: {
        ASSIGN_OR_RETURN(int64_t v, ReadSigned(type, what));
        out->data = v;
        return absl::OkStatus();
      }
      case Kind::kFloat: {
        ASSIGN_OR_RETURN(double v, ReadFloat(type, what));
        out->data = v;
        return absl::OkStatus();
      }
      case Kind::kBool: {
        ASSIGN_OR_RETURN(bool v, ReadBool(what));
        out->data = v;
        return absl::OkStatus();
      }
      case Kind::kString: {
        ASSIGN_OR_RETURN(std::string v, ReadString(what));
        out->data = std::move(v);
        return absl::OkStatus();
      }
      case Kind::kArray:
      case Kind::kInvalid:
        break;
    }
    return Invalid(what + " has type " + TypeText(static_cast<uint32_t>(type)));
  }

  absl::StatusOr<int64_t> ReadSigned(ValueType type, const std::string& what) {
    const uint64_t width = ValueTypeMinBytes(type);
    ASSIGN_OR_RETURN(uint64_t u, ReadUnsigned(width, what));
    if (width < 8) {
      const uint64_t sign = uint64_t{1} << (8 * width - 1);
      if ((u & sign) != 0) u |= ~((sign << 1) - 1);  // sign-extend
    }
    int64_t v;
    std::memcpy(&v, &u, sizeof v);
    return v;
  }

  absl::StatusOr<double> ReadFloat(ValueType type, const std::string& what) {
    if (type == ValueType::kFloat32) {
      ASSIGN_OR_RETURN(uint64_t u, ReadUnsigned(4, what));
      const auto bits = static_cast<uint32_t>(u);
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return static_cast<double>(f);
    }
    ASSIGN_OR_RETURN(uint64_t u, ReadUnsigned(8, what));
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
  }

  absl::StatusOr<bool> ReadBool(const std::string& what) {
    ASSIGN_OR_RETURN(uint64_t u, ReadUnsigned(1, what));
    if (u > 1) return Invalid(what + " is a bool stored as " + std::to_string(u) + " (not 0 or 1)");
    return u == 1;
  }

  template <typename T, typename ReadFn>
  absl::StatusOr<std::vector<T>> ReadElements(uint64_t n, ReadFn read) {
    std::vector<T> out;
    out.reserve(static_cast<size_t>(n));  // n * element size fits in the bytes left (checked)
    for (uint64_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(T v, read(i));
      out.push_back(std::move(v));
    }
    return out;
  }

  absl::Status ReadArray(const std::string& what, Value* out) {
    ASSIGN_OR_RETURN(uint32_t elem, ReadU32(what + " element type"));
    if (!IsValidValueType(elem)) return Invalid(what + " has array element type " + TypeText(elem));
    const auto et = static_cast<ValueType>(elem);
    if (et == ValueType::kArray) return Invalid(what + " is an array of arrays (not supported)");
    out->array_type = et;
    ASSIGN_OR_RETURN(uint64_t n, ReadUnsigned(8, what + " array length"));
    if (n > Remaining() / ValueTypeMinBytes(et)) {
      return absl::DataLossError("gguf: " + f_->name_ + ": truncated: " + what + " claims " +
                                 std::to_string(n) + " elements of type " + TypeText(elem) +
                                 " but only " + Hex(Remaining()) + " bytes are left");
    }
    auto elem_what = [&](uint64_t i) { return what + " element " + std::to_string(i); };
    switch (KindOf(et)) {
      case Kind::kUnsigned: {
        ASSIGN_OR_RETURN(out->data, ReadElements<uint64_t>(n, [&](uint64_t i) {
                           return ReadUnsigned(ValueTypeMinBytes(et), elem_what(i));
                         }));
        return absl::OkStatus();
      }
      case Kind::kSigned: {
        ASSIGN_OR_RETURN(out->data, ReadElements<int64_t>(n, [&](uint64_t i) {
                           return ReadSigned(et, elem_what(i));
                         }));
        return absl::OkStatus();
      }
      case Kind::kFloat: {
        ASSIGN_OR_RETURN(out->data, ReadElements<double>(n, [&](uint64_t i) {
                           return ReadFloat(et, elem_what(i));
                         }));
        return absl::OkStatus();
      }
      case Kind::kBool: {
        ASSIGN_OR_RETURN(out->data,
                         ReadElements<bool>(n, [&](uint64_t i) { return ReadBool(elem_what(i)); }));
        return absl::OkStatus();
      }
      case Kind::kString: {
        ASSIGN_OR_RETURN(out->data, ReadElements<std::string>(
                                        n, [&](uint64_t i) { return ReadString(elem_what(i)); }));
        return absl::OkStatus();
      }
      case Kind::kArray:
      case Kind::kInvalid:
        break;
    }
    return Invalid(what + " has array element type " + TypeText(elem));
  }

  absl::Status ParseKeyValue(uint64_t index) {
    const std::string entry = "metadata entry " + std::to_string(index);
    ASSIGN_OR_RETURN(std::string key, ReadString(entry + " key"));
    if (key.empty()) return Invalid(entry + " has an empty key");
    const std::string what = "key '" + key + "'";
    if (f_->metadata_.count(key) != 0) return Invalid("duplicate " + what);
    ASSIGN_OR_RETURN(uint32_t type, ReadU32(what + " type"));
    if (!IsValidValueType(type))
      return Invalid(what + " has unknown value type " + std::to_string(type));
    Value value;
    value.type = static_cast<ValueType>(type);
    if (value.type == ValueType::kArray) {
      RETURN_IF_ERROR(ReadArray(what, &value));
    } else {
      RETURN_IF_ERROR(ReadScalar(value.type, what, &value));
    }
    if (key == "general.alignment") {
      if (value.type != ValueType::kUint32) {
        return Invalid(what + " has type " + TypeText(type) + ", expected u32");
      }
      const uint64_t a = std::get<uint64_t>(value.data);
      if (a == 0 || (a & (a - 1)) != 0)
        return Invalid(what + " is " + std::to_string(a) + ", not a power of two");
      f_->alignment_ = a;
    }
    f_->key_order_.push_back(key);
    f_->metadata_.emplace(std::move(key), std::move(value));
    return absl::OkStatus();
  }

  absl::Status ParseTensorInfo(uint64_t index) {
    const std::string entry = "tensor info " + std::to_string(index);
    TensorInfo t;
    ASSIGN_OR_RETURN(t.name, ReadString(entry + " name"));
    if (t.name.empty()) return Invalid(entry + " has an empty name");
    const std::string what = "tensor '" + t.name + "'";
    if (f_->tensor_index_.count(t.name) != 0) return Invalid("duplicate " + what);
    ASSIGN_OR_RETURN(uint32_t n_dims, ReadU32(what + " dimension count"));
    if (n_dims < 1 || n_dims > kMaxDims) {
      return Invalid(what + " has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
    }
    uint64_t n_elements = 1;
    for (uint32_t i = 0; i < n_dims; ++i) {
      ASSIGN_OR_RETURN(uint64_t d, ReadUnsigned(8, what + " dimension " + std::to_string(i)));
      if (d == 0 || d > kMaxInt64) {
        return Invalid(what + " has dimension " + std::to_string(i) + " of size " +
                       std::to_string(d) + " (must be 1 to 2^63 - 1)");
      }
      if (n_elements > kMaxInt64 / d) return Invalid(what + " has more than 2^63 elements");
      n_elements *= d;
      t.dims.push_back(static_cast<int64_t>(d));
    }
    ASSIGN_OR_RETURN(uint32_t type_id, ReadU32(what + " type"));
    if (!kernels::IsKnownDType(type_id)) {
      return Invalid(what + " has unknown type id " + std::to_string(type_id));
    }
    t.type = static_cast<DType>(type_id);
    if (!kernels::IsSupported(t.type)) {
      return Invalid(what + " has unsupported type " + std::string(kernels::DTypeName(t.type)) +
                     " (" + std::to_string(type_id) + ")");
    }
    ASSIGN_OR_RETURN(t.offset, ReadUnsigned(8, what + " offset"));
    if (t.dims[0] % kernels::BlockElems(t.type) != 0) {
      return Invalid(what + ": row of " + std::to_string(t.dims[0]) +
                     " elements is not a whole number of " +
                     std::string(kernels::DTypeName(t.type)) + " blocks of " +
                     std::to_string(kernels::BlockElems(t.type)));
    }
    const int64_t row_bytes = kernels::RowBytes(t.type, t.dims[0]);  // -1 only on overflow here
    const uint64_t rows = n_elements / static_cast<uint64_t>(t.dims[0]);
    if (row_bytes < 0 || rows > kMaxInt64 / static_cast<uint64_t>(row_bytes)) {
      return Invalid(what + " is larger than 2^63 bytes");
    }
    t.size_bytes = rows * static_cast<uint64_t>(row_bytes);
    if (t.offset % f_->alignment_ != 0) {
      return Invalid(what + " offset " + Hex(t.offset) + " is not a multiple of the alignment " +
                     std::to_string(f_->alignment_));
    }
    f_->tensor_index_.emplace(t.name, f_->tensors_.size());
    f_->tensors_.push_back(std::move(t));
    return absl::OkStatus();
  }

  absl::Status PlaceTensors() {
    // The data section starts at the first multiple of the alignment after the tensor infos.
    const uint64_t a = f_->alignment_;
    const uint64_t data_start = (pos_ + a - 1) / a * a;  // pos_ < 2^63, a <= 2^31: no overflow
    if (f_->tensors_.empty()) {
      f_->data_ = f_->base_ + std::min(data_start, f_->size_);
      return absl::OkStatus();
    }
    if (data_start > f_->size_) {
      return absl::DataLossError("gguf: " + f_->name_ + ": truncated: data section at " +
                                 Hex(data_start) + " starts past end of file (" + Hex(f_->size_) +
                                 " bytes)");
    }
    const uint64_t data_size = f_->size_ - data_start;
    for (const TensorInfo& t : f_->tensors_) {
      if (t.offset > data_size || t.size_bytes > data_size - t.offset) {
        return absl::DataLossError("gguf: " + f_->name_ + ": tensor '" + t.name +
                                   "' ends past end of file (offset " + Hex(t.offset) + ", size " +
                                   Hex(t.size_bytes) + ", data section " + Hex(data_size) +
                                   " bytes)");
      }
    }
    std::vector<size_t> order(f_->tensors_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t x, size_t y) { return f_->tensors_[x].offset < f_->tensors_[y].offset; });
    for (size_t i = 1; i < order.size(); ++i) {
      const TensorInfo& prev = f_->tensors_[order[i - 1]];
      const TensorInfo& cur = f_->tensors_[order[i]];
      if (prev.offset + prev.size_bytes > cur.offset) {
        return Invalid("tensors '" + prev.name + "' (offset " + Hex(prev.offset) + ", size " +
                       Hex(prev.size_bytes) + ") and '" + cur.name + "' (offset " +
                       Hex(cur.offset) + ") overlap");
      }
    }
    f_->data_ = f_->base_ + data_start;
    return absl::OkStatus();
  }

  File* f_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
};

absl::StatusOr<std::unique_ptr<File>> File::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string msg = "gguf: cannot open '" + path + "': " + ErrnoText(err);
    return err == ENOENT ? absl::NotFoundError(msg) : absl::UnavailableError(msg);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::UnavailableError("gguf: cannot stat '" + path + "': " + ErrnoText(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError("gguf: " + path + ": not a regular file");
  }
  std::unique_ptr<File> file(new File());
  file->name_ = path;
  file->size_ = static_cast<uint64_t>(st.st_size);
  if (file->size_ > 0) {
    void* map = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return absl::UnavailableError("gguf: cannot map '" + path + "': " + ErrnoText(err));
    }
    file->mapping_ = map;
    file->base_ = static_cast<const uint8_t*>(map);
  }
  ::close(fd);  // the mapping stays valid
  FileParser parser(file.get());
  RETURN_IF_ERROR(parser.Parse());
  return file;
}

absl::StatusOr<std::unique_ptr<File>> File::FromBuffer(std::string bytes, std::string name) {
  std::unique_ptr<File> file(new File());
  file->name_ = std::move(name);
  file->owned_ = std::move(bytes);
  file->base_ = reinterpret_cast<const uint8_t*>(file->owned_.data());
  file->size_ = file->owned_.size();
  FileParser parser(file.get());
  RETURN_IF_ERROR(parser.Parse());
  return file;
}

File::~File() {
  if (mapping_ != nullptr) ::munmap(mapping_, size_);
}

const Value* File::Find(std::string_view key) const {
  auto it = metadata_.find(std::string(key));
  return it == metadata_.end() ? nullptr : &it->second;
}

const TensorInfo* File::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

// ---- typed getters ------------------------------------------------------------------------------

namespace {

absl::Status NotFound(const File& f, std::string_view key) {
  return absl::NotFoundError("gguf: " + f.name() + ": key '" + std::string(key) + "' not found");
}

absl::Status WrongType(const File& f, std::string_view key, const Value& v,
                       std::string_view expected) {
  std::string got(ValueTypeName(v.type));
  if (v.type == ValueType::kArray) got += " of " + std::string(ValueTypeName(v.array_type));
  return absl::InvalidArgumentError("gguf: " + f.name() + ": key '" + std::string(key) +
                                    "' has type " + got + ", expected " + std::string(expected));
}

absl::Status OutOfRange(const File& f, std::string_view key, const std::string& value,
                        std::string_view target) {
  return absl::InvalidArgumentError("gguf: " + f.name() + ": key '" + std::string(key) +
                                    "' value " + value + " does not fit in " + std::string(target));
}

}  // namespace

absl::StatusOr<std::string> File::GetString(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return NotFound(*this, key);
  if (v->type != ValueType::kString) return WrongType(*this, key, *v, "string");
  return std::get<std::string>(v->data);
}

absl::StatusOr<int64_t> File::GetInt64(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return NotFound(*this, key);
  switch (KindOf(v->type)) {
    case Kind::kSigned:
      return std::get<int64_t>(v->data);
    case Kind::kUnsigned: {
      const uint64_t u = std::get<uint64_t>(v->data);
      if (u > kMaxInt64) return OutOfRange(*this, key, std::to_string(u), "i64");
      return static_cast<int64_t>(u);
    }
    default:
      return WrongType(*this, key, *v, "an integer");
  }
}

absl::StatusOr<uint32_t> File::GetUint32(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return NotFound(*this, key);
  switch (KindOf(v->type)) {
    case Kind::kSigned: {
      const int64_t s = std::get<int64_t>(v->data);
      if (s < 0 || s > int64_t{std::numeric_limits<uint32_t>::max()}) {
        return OutOfRange(*this, key, std::to_string(s), "u32");
      }
      return static_cast<uint32_t>(s);
    }
    case Kind::kUnsigned: {
      const uint64_t u = std::get<uint64_t>(v->data);
      if (u > std::numeric_limits<uint32_t>::max())
        return OutOfRange(*this, key, std::to_string(u), "u32");
      return static_cast<uint32_t>(u);
    }
    default:
      return WrongType(*this, key, *v, "an integer");
  }
}

absl::StatusOr<float> File::GetFloat32(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return NotFound(*this, key);
  if (v->type != ValueType::kFloat32 && v->type != ValueType::kFloat64) {
    return WrongType(*this, key, *v, "f32 or f64");
  }
  return static_cast<float>(std::get<double>(v->data));
}

absl::StatusOr<bool> File::GetBool(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return NotFound(*this, key);
  if (v->type != ValueType::kBool) return WrongType(*this, key, *v, "bool");
  return std::get<bool>(v->data);
}

absl::StatusOr<std::vector<std::string>> File::GetStringArray(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return NotFound(*this, key);
  if (v->type != ValueType::kArray || v->array_type != ValueType::kString) {
    return WrongType(*this, key, *v, "array of string");
  }
  return std::get<std::vector<std::string>>(v->data);
}

absl::StatusOr<std::vector<int64_t>> File::GetIntArray(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return NotFound(*this, key);
  if (v->type == ValueType::kArray && KindOf(v->array_type) == Kind::kSigned) {
    return std::get<std::vector<int64_t>>(v->data);
  }
  if (v->type != ValueType::kArray || KindOf(v->array_type) != Kind::kUnsigned) {
    return WrongType(*this, key, *v, "array of integers");
  }
  const auto& u = std::get<std::vector<uint64_t>>(v->data);
  std::vector<int64_t> out;
  out.reserve(u.size());
  for (uint64_t x : u) {
    if (x > kMaxInt64) return OutOfRange(*this, key, "element " + std::to_string(x), "i64");
    out.push_back(static_cast<int64_t>(x));
  }
  return out;
}

absl::StatusOr<std::vector<float>> File::GetFloatArray(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) return NotFound(*this, key);
  if (v->type != ValueType::kArray || KindOf(v->array_type) != Kind::kFloat) {
    return WrongType(*this, key, *v, "array of f32 or f64");
  }
  const auto& d = std::get<std::vector<double>>(v->data);
  return std::vector<float>(d.begin(), d.end());
}

}  // namespace engram::engine::gguf
