// The numerical ops the engine calls. Each op is declared once here; the implementation variant
// (ref, AVX2, AVX-512, ...) is chosen once, at first use, from the CPU's features, and can be forced
// to the scalar reference with ENGRAM_KERNELS=ref. Shapes are validated by callers (the engine checks
// shapes once when it builds a graph); ops do not return errors. Thread-safe: ops are pure functions
// of their arguments.
#pragma once

#include <cstdint>
#include <string_view>

namespace engram::kernels {

// y[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * w[:]
// x, y: [rows, n] row-major (may alias); w: [n].
void RmsNorm(const float* x, const float* w, float* y, int64_t rows, int64_t n, float eps);

// The variant the dispatcher picked ("ref", "avx2", "avx512").
std::string_view ActiveVariant();

}  // namespace engram::kernels
