// What this build and this machine offer the engine: CUDA compiled in or not, GPUs present, CPU
// features. Safe to call on machines without a GPU driver (any CUDA error reads as "no GPU").
// Thread-safe; the GPU probe runs once.
#pragma once

#include <string>

namespace engram::kernels {

struct DeviceInfo {
  bool cuda_compiled = false;
  int gpu_count = 0;
  std::string gpu_name;      // first device, empty when none
  std::string cpu_features;  // CpuFeatures::ToString()
  std::string kernel_variant;
};

const DeviceInfo& GetDeviceInfo();

}  // namespace engram::kernels
