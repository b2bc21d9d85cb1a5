#include "kernels/ops.h"

#include <cstdlib>
#include <cstring>

#include "kernels/ref/ref.h"

namespace engram::kernels {
namespace {

struct Table {
  const char* variant;
  void (*rms_norm)(const float*, const float*, float*, int64_t, int64_t, float);
};

Table Choose() {
  Table ref{"ref", RmsNormRef};
  const char* force = std::getenv("ENGRAM_KERNELS");
  if (force != nullptr && std::strcmp(force, "ref") == 0) return ref;
  // SIMD variants are added here as they land, each guarded by cpu_features.
  return ref;
}

const Table& Active() {
  static const Table table = Choose();
  return table;
}

}  // namespace

void RmsNorm(const float* x, const float* w, float* y, int64_t rows, int64_t n, float eps) {
  Active().rms_norm(x, w, y, rows, n, eps);
}

std::string_view ActiveVariant() { return Active().variant; }

}  // namespace engram::kernels
