// CPU features relevant to kernel selection, detected once (cpuid via the compiler builtins).
// Thread-safe.
#pragma once

#include <string>

namespace engram::kernels {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512dq = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  bool avxvnni = false;

  // "avx2 fma f16c avx512f ..." (space-separated, only those present).
  std::string ToString() const;
};

const CpuFeatures& GetCpuFeatures();

}  // namespace engram::kernels
