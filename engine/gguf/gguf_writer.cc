#include "engine/gguf/gguf_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include "support/file_util.h"
#include "support/status.h"

namespace engram::engine::gguf {
namespace {

using kernels::DType;

constexpr uint64_t kDefaultAlignment = 32;

absl::Status Invalid(const std::string& msg) {
  return absl::InvalidArgumentError("gguf writer: " + msg);
}

// [min, max] of an integer value type, as int64 / uint64 bounds.
struct IntRange {
  bool is_signed;
  int64_t min;
  uint64_t max;
};

bool IntRangeOf(ValueType t, IntRange* r) {
  switch (t) {
    case ValueType::kUint8:
      *r = {false, 0, 0xFF};
      return true;
    case ValueType::kUint16:
      *r = {false, 0, 0xFFFF};
      return true;
    case ValueType::kUint32:
      *r = {false, 0, 0xFFFFFFFFu};
      return true;
    case ValueType::kUint64:
      *r = {false, 0, std::numeric_limits<uint64_t>::max()};
      return true;
    case ValueType::kInt8:
      *r = {true, -128, 127};
      return true;
    case ValueType::kInt16:
      *r = {true, -32768, 32767};
      return true;
    case ValueType::kInt32:
      *r = {true, std::numeric_limits<int32_t>::min(), 0x7FFFFFFF};
      return true;
    case ValueType::kInt64:
      *r = {true, std::numeric_limits<int64_t>::min(),
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max())};
      return true;
    default:
      return false;
  }
}

bool IsValidType(ValueType t) {
  return static_cast<uint32_t>(t) <= static_cast<uint32_t>(ValueType::kFloat64);
}

// Checks that `data` holds what `type` needs (scalar case).
absl::Status CheckScalar(const std::string& what, ValueType type, const Value& v) {
  IntRange r;
  if (IntRangeOf(type, &r)) {
    if (r.is_signed) {
      const int64_t* s = std::get_if<int64_t>(&v.data);
      if (s == nullptr)
        return Invalid(what + " of type " + std::string(ValueTypeName(type)) + " needs an int64_t");
      if (*s < r.min || (*s > 0 && static_cast<uint64_t>(*s) > r.max)) {
        return Invalid(what + " value " + std::to_string(*s) + " does not fit " +
                       std::string(ValueTypeName(type)));
      }
    } else {
      const uint64_t* u = std::get_if<uint64_t>(&v.data);
      if (u == nullptr)
        return Invalid(what + " of type " + std::string(ValueTypeName(type)) + " needs a uint64_t");
      if (*u > r.max) {
        return Invalid(what + " value " + std::to_string(*u) + " does not fit " +
                       std::string(ValueTypeName(type)));
      }
    }
    return absl::OkStatus();
  }
  switch (type) {
    case ValueType::kFloat32:
    case ValueType::kFloat64:
      if (!std::holds_alternative<double>(v.data)) return Invalid(what + " needs a double");
      return absl::OkStatus();
    case ValueType::kBool:
      if (!std::holds_alternative<bool>(v.data)) return Invalid(what + " needs a bool");
      return absl::OkStatus();
    case ValueType::kString:
      if (!std::holds_alternative<std::string>(v.data))
        return Invalid(what + " needs a std::string");
      return absl::OkStatus();
    default:
      return Invalid(what + " has type " + std::string(ValueTypeName(type)));
  }
}

absl::Status CheckArray(const std::string& what, const Value& v) {
  const ValueType et = v.array_type;
  if (!IsValidType(et) || et == ValueType::kArray) {
    return Invalid(what + " has array element type " + std::to_string(static_cast<uint32_t>(et)));
  }
  IntRange r;
  if (IntRangeOf(et, &r)) {
    if (r.is_signed) {
      const auto* s = std::get_if<std::vector<int64_t>>(&v.data);
      if (s == nullptr)
        return Invalid(what + " (array of " + std::string(ValueTypeName(et)) +
                       ") needs a vector<int64_t>");
      for (int64_t x : *s) {
        if (x < r.min || (x > 0 && static_cast<uint64_t>(x) > r.max)) {
          return Invalid(what + " element " + std::to_string(x) + " does not fit " +
                         std::string(ValueTypeName(et)));
        }
      }
    } else {
      const auto* u = std::get_if<std::vector<uint64_t>>(&v.data);
      if (u == nullptr)
        return Invalid(what + " (array of " + std::string(ValueTypeName(et)) +
                       ") needs a vector<uint64_t>");
      for (uint64_t x : *u) {
        if (x > r.max)
          return Invalid(what + " element " + std::to_string(x) + " does not fit " +
                         std::string(ValueTypeName(et)));
      }
    }
    return absl::OkStatus();
  }
  const bool ok = (et == ValueType::kFloat32 || et == ValueType::kFloat64)
                      ? std::holds_alternative<std::vector<double>>(v.data)
                  : et == ValueType::kBool
                      ? std::holds_alternative<std::vector<bool>>(v.data)
                      : std::holds_alternative<std::vector<std::string>>(v.data);
  if (!ok)
    return Invalid(what + " (array of " + std::string(ValueTypeName(et)) +
                   ") holds the wrong vector type");
  return absl::OkStatus();
}

void PutLe(std::string* out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutString(std::string* out, std::string_view s) {
  PutLe(out, s.size(), 8);
  out->append(s);
}

void PutFloat(std::string* out, double d, ValueType t) {
  if (t == ValueType::kFloat32) {
    const auto f = static_cast<float>(d);
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    PutLe(out, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    PutLe(out, bits, 8);
  }
}

void PutSigned(std::string* out, int64_t v, int width) {
  uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  PutLe(out, u, width);
}

// Appends the encoding of a value whose shape Validate() checked.
void PutValue(std::string* out, const Value& v) {
  IntRange r;
  if (v.type == ValueType::kArray) {
    const ValueType et = v.array_type;
    PutLe(out, static_cast<uint32_t>(et), 4);
    if (IntRangeOf(et, &r) && r.is_signed) {
      const auto& xs = std::get<std::vector<int64_t>>(v.data);
      PutLe(out, xs.size(), 8);
      for (int64_t x : xs) PutSigned(out, x, static_cast<int>(ValueTypeMinBytes(et)));
    } else if (IntRangeOf(et, &r)) {
      const auto& xs = std::get<std::vector<uint64_t>>(v.data);
      PutLe(out, xs.size(), 8);
      for (uint64_t x : xs) PutLe(out, x, static_cast<int>(ValueTypeMinBytes(et)));
    } else if (et == ValueType::kFloat32 || et == ValueType::kFloat64) {
      const auto& xs = std::get<std::vector<double>>(v.data);
      PutLe(out, xs.size(), 8);
      for (double x : xs) PutFloat(out, x, et);
    } else if (et == ValueType::kBool) {
      const auto& xs = std::get<std::vector<bool>>(v.data);
      PutLe(out, xs.size(), 8);
      for (bool x : xs) PutLe(out, x ? 1 : 0, 1);
    } else {
      const auto& xs = std::get<std::vector<std::string>>(v.data);
      PutLe(out, xs.size(), 8);
      for (const std::string& x : xs) PutString(out, x);
    }
    return;
  }
  if (IntRangeOf(v.type, &r) && r.is_signed) {
    PutSigned(out, std::get<int64_t>(v.data), static_cast<int>(ValueTypeMinBytes(v.type)));
  } else if (IntRangeOf(v.type, &r)) {
    PutLe(out, std::get<uint64_t>(v.data), static_cast<int>(ValueTypeMinBytes(v.type)));
  } else if (v.type == ValueType::kFloat32 || v.type == ValueType::kFloat64) {
    PutFloat(out, std::get<double>(v.data), v.type);
  } else if (v.type == ValueType::kBool) {
    PutLe(out, std::get<bool>(v.data) ? 1 : 0, 1);
  } else {
    PutString(out, std::get<std::string>(v.data));
  }
}

uint64_t AlignUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

}  // namespace

// Where Emit() sends bytes: a string, or a file descriptor through a buffer.
class Writer::Sink {
 public:
  explicit Sink(std::string* out) : out_(out) {}
  Sink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  absl::Status Append(std::string_view bytes) {
    written_ += bytes.size();
    if (out_ != nullptr) {
      out_->append(bytes);
      return absl::OkStatus();
    }
    if (buf_.size() + bytes.size() <= kBufferBytes) {
      buf_.append(bytes);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(Flush());
    if (bytes.size() <= kBufferBytes) {
      buf_.append(bytes);
      return absl::OkStatus();
    }
    return WriteAll(bytes);
  }

  absl::Status Pad(uint64_t n) { return Append(std::string(n, '\0')); }

  absl::Status Flush() {
    if (out_ != nullptr || buf_.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(WriteAll(buf_));
    buf_.clear();
    return absl::OkStatus();
  }

  uint64_t written() const { return written_; }

 private:
  static constexpr size_t kBufferBytes = 1 << 20;

  absl::Status WriteAll(std::string_view bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return absl::UnavailableError("gguf writer: cannot write '" + path_ +
                                      "': " + ErrnoText(errno));
      }
      off += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  std::string* out_ = nullptr;
  int fd_ = -1;
  std::string path_;
  std::string buf_;
  uint64_t written_ = 0;
};

void Writer::SetAlignment(uint32_t alignment) {
  for (auto& [key, value] : metadata_) {
    if (key == "general.alignment") {
      value.type = ValueType::kUint32;
      value.data = uint64_t{alignment};
      return;
    }
  }
  AddUint32("general.alignment", alignment);
}

void Writer::Add(std::string key, Value value) {
  metadata_.emplace_back(std::move(key), std::move(value));
}

void Writer::AddStringArray(std::string key, std::vector<std::string> v) {
  Value value;
  value.type = ValueType::kArray;
  value.array_type = ValueType::kString;
  value.data = std::move(v);
  Add(std::move(key), std::move(value));
}

void Writer::AddInt32Array(std::string key, const std::vector<int32_t>& v) {
  Value value;
  value.type = ValueType::kArray;
  value.array_type = ValueType::kInt32;
  value.data = std::vector<int64_t>(v.begin(), v.end());
  Add(std::move(key), std::move(value));
}

void Writer::AddUint32Array(std::string key, const std::vector<uint32_t>& v) {
  Value value;
  value.type = ValueType::kArray;
  value.array_type = ValueType::kUint32;
  value.data = std::vector<uint64_t>(v.begin(), v.end());
  Add(std::move(key), std::move(value));
}

void Writer::AddFloat32Array(std::string key, const std::vector<float>& v) {
  Value value;
  value.type = ValueType::kArray;
  value.array_type = ValueType::kFloat32;
  value.data = std::vector<double>(v.begin(), v.end());
  Add(std::move(key), std::move(value));
}

void Writer::AddBoolArray(std::string key, std::vector<bool> v) {
  Value value;
  value.type = ValueType::kArray;
  value.array_type = ValueType::kBool;
  value.data = std::move(v);
  Add(std::move(key), std::move(value));
}

void Writer::AddTensor(std::string name, DType type, std::vector<int64_t> dims, std::string bytes) {
  tensors_.push_back(Tensor{std::move(name), type, std::move(dims), std::move(bytes)});
}

void Writer::AddTensorF32(std::string name, std::vector<int64_t> dims,
                          const std::vector<float>& values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  AddTensor(std::move(name), DType::kF32, std::move(dims), std::move(bytes));
}

absl::Status Writer::Validate() const {
  if (version_ != 2 && version_ != 3)
    return Invalid("version " + std::to_string(version_) + " (2 or 3)");
  std::set<std::string_view> keys;
  for (const auto& [key, value] : metadata_) {
    const std::string what = "key '" + key + "'";
    if (key.empty()) return Invalid("empty metadata key");
    if (!keys.insert(key).second) return Invalid("duplicate " + what);
    if (!IsValidType(value.type)) {
      return Invalid(what + " has value type " + std::to_string(static_cast<uint32_t>(value.type)));
    }
    RETURN_IF_ERROR(value.type == ValueType::kArray ? CheckArray(what, value)
                                                    : CheckScalar(what, value.type, value));
    if (key == "general.alignment") {
      if (value.type != ValueType::kUint32) return Invalid(what + " must be a u32");
      const uint64_t a = std::get<uint64_t>(value.data);
      if (a == 0 || (a & (a - 1)) != 0)
        return Invalid(what + " " + std::to_string(a) + " is not a power of two");
    }
  }
  std::set<std::string_view> names;
  for (const Tensor& t : tensors_) {
    const std::string what = "tensor '" + t.name + "'";
    if (t.name.empty()) return Invalid("empty tensor name");
    if (!names.insert(t.name).second) return Invalid("duplicate " + what);
    if (!kernels::IsKnownDType(static_cast<uint32_t>(t.type))) {
      return Invalid(what + " has unknown type " + std::to_string(static_cast<uint32_t>(t.type)));
    }
    if (t.dims.empty() || t.dims.size() > 4) return Invalid(what + " needs 1 to 4 dims");
    int64_t rows = 1;
    for (size_t i = 0; i < t.dims.size(); ++i) {
      if (t.dims[i] < 1)
        return Invalid(what + " dim " + std::to_string(i) + " is " + std::to_string(t.dims[i]));
      if (i > 0) {
        if (rows > std::numeric_limits<int64_t>::max() / t.dims[i])
          return Invalid(what + " is too large");
        rows *= t.dims[i];
      }
    }
    const int64_t row_bytes = kernels::RowBytes(t.type, t.dims[0]);
    if (row_bytes < 0) {
      return Invalid(what + ": " + std::to_string(t.dims[0]) + " is not a multiple of the " +
                     std::string(kernels::DTypeName(t.type)) + " block");
    }
    if (rows > std::numeric_limits<int64_t>::max() / std::max<int64_t>(row_bytes, 1) ||
        static_cast<uint64_t>(rows * row_bytes) != t.bytes.size()) {
      return Invalid(what + " has " + std::to_string(t.bytes.size()) + " bytes, expected " +
                     std::to_string(row_bytes) + " per row x " + std::to_string(rows) + " rows");
    }
  }
  return absl::OkStatus();
}

absl::Status Writer::Emit(Sink& sink) const {
  uint64_t alignment = kDefaultAlignment;
  for (const auto& [key, value] : metadata_) {
    if (key == "general.alignment") alignment = std::get<uint64_t>(value.data);
  }
  std::string head;  // magic .. end of tensor infos
  head.append("GGUF", 4);
  PutLe(&head, version_, 4);
  PutLe(&head, tensors_.size(), 8);
  PutLe(&head, metadata_.size(), 8);
  for (const auto& [key, value] : metadata_) {
    PutString(&head, key);
    PutLe(&head, static_cast<uint32_t>(value.type), 4);
    PutValue(&head, value);
  }
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    PutString(&head, t.name);
    PutLe(&head, t.dims.size(), 4);
    for (int64_t d : t.dims) PutLe(&head, static_cast<uint64_t>(d), 8);
    PutLe(&head, static_cast<uint32_t>(t.type), 4);
    PutLe(&head, offset, 8);
    offset = AlignUp(offset + t.bytes.size(), alignment);
  }
  RETURN_IF_ERROR(sink.Append(head));
  // Padding goes before each tensor, none after the last: the file ends with the last tensor's
  // bytes (so that any truncation of it is detectable).
  for (const Tensor& t : tensors_) {
    RETURN_IF_ERROR(sink.Pad(AlignUp(sink.written(), alignment) - sink.written()));
    RETURN_IF_ERROR(sink.Append(t.bytes));
  }
  return sink.Flush();
}

absl::StatusOr<std::string> Writer::Serialize() const {
  RETURN_IF_ERROR(Validate());
  std::string out;
  Sink sink(&out);
  RETURN_IF_ERROR(Emit(sink));
  return out;
}

absl::Status Writer::Write(const std::string& path) const {
  RETURN_IF_ERROR(Validate());
  const std::filesystem::path target(path);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  std::string tmp = dir + "/." + target.filename().string() + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return absl::UnavailableError("gguf writer: cannot create a temporary file in '" + dir +
                                  "': " + ErrnoText(errno));
  }
  auto fail = [&](absl::Status s) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  if (::fchmod(fd, 0644) != 0) {
    return fail(
        absl::UnavailableError("gguf writer: cannot chmod '" + tmp + "': " + ErrnoText(errno)));
  }
  Sink sink(fd, path);
  if (absl::Status s = Emit(sink); !s.ok()) return fail(s);
  if (::fsync(fd) != 0) {
    return fail(
        absl::UnavailableError("gguf writer: cannot fsync '" + path + "': " + ErrnoText(errno)));
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return absl::UnavailableError("gguf writer: cannot close '" + path + "': " + ErrnoText(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return absl::UnavailableError("gguf writer: cannot rename onto '" + path +
                                  "': " + ErrnoText(err));
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

}  // namespace engram::engine::gguf
