// The compute devices the engine can use, as the rest of engram sees them (the daemon reports them
// in Daemon.Status and `engramd --version`). Thread-safe; probed once.
#pragma once

#include <string>

namespace engram::engine {

struct Devices {
  bool cuda_compiled = false;  // built with nvcc
  int gpu_count = 0;           // 0 without a driver or device
  std::string gpu_name;        // first GPU, empty when none
  std::string cpu_features;    // e.g. "avx2 fma f16c avx512f"
  std::string kernel_variant;  // CPU kernel variant in use ("ref", "avx2", ...)
};

const Devices& GetDevices();

}  // namespace engram::engine
