// Fuzz target: any bytes through gguf::File::FromBuffer; when a file opens, everything it exposes
// is read (every value through its getter, every tensor row through the dequantizer) so that a
// validation gap shows up as an out-of-bounds read under ASan. Built as a libFuzzer binary with
// ENGRAM_BUILD_LIBFUZZER, and always as a corpus replayer (standalone_driver.cc) under ctest.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "kernels/ops.h"

namespace {

using engram::engine::gguf::File;
using engram::engine::gguf::TensorInfo;

// Keeps one input's work bounded: at most this many elements are dequantized.
constexpr int64_t kMaxElements = int64_t{1} << 20;

void Exercise(const File& f) {
  volatile double sink = 0;
  for (const std::string& key : f.keys()) {
    if (auto v = f.GetString(key); v.ok()) sink = sink + static_cast<double>(v->size());
    if (auto v = f.GetUint32(key); v.ok()) sink = sink + *v;
    if (auto v = f.GetInt64(key); v.ok()) sink = sink + static_cast<double>(*v);
    if (auto v = f.GetFloat32(key); v.ok()) sink = sink + *v;
    if (auto v = f.GetBool(key); v.ok()) sink = sink + (*v ? 1 : 0);
    if (auto v = f.GetStringArray(key); v.ok()) sink = sink + static_cast<double>(v->size());
    if (auto v = f.GetIntArray(key); v.ok()) sink = sink + static_cast<double>(v->size());
    if (auto v = f.GetFloatArray(key); v.ok()) sink = sink + static_cast<double>(v->size());
  }
  int64_t budget = kMaxElements;
  std::vector<float> row;
  for (const TensorInfo& t : f.tensors()) {
    if (f.FindTensor(t.name) != &t) __builtin_trap();  // the index must agree with the list
    const int64_t n = t.dims[0];
    const int64_t row_bytes = engram::kernels::RowBytes(t.type, n);
    if (n > budget) continue;
    row.resize(static_cast<size_t>(n));
    // The last row touches the tensor's last byte.
    const int64_t rows = t.n_elements() / n;
    for (int64_t r : {int64_t{0}, rows - 1}) {
      engram::kernels::DequantizeRow(t.type, f.TensorData(t) + r * row_bytes, row.data(), n);
      sink = sink + row[0];
    }
    budget -= 2 * n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = File::FromBuffer(std::string(reinterpret_cast<const char*>(data), size), "fuzz.gguf");
  if (file.ok()) Exercise(**file);
  return 0;
}
