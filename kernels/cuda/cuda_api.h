// The plain C++ face of the CUDA kernels (no CUDA headers needed to include it). Only built when
// nvcc is found (ENGRAM_HAVE_CUDA). Pointers named d_* are device pointers. Functions are
// synchronous on the default stream for now; they return false on any CUDA error and clear it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace engram::kernels::cuda {

// Number of usable GPUs; 0 when there is no driver or no device (cudaErrorInsufficientDriver etc.).
int DeviceCount();
std::string DeviceName(int device);

// Device memory helpers (nullptr / false on failure).
void* DeviceAlloc(size_t bytes);
void DeviceFree(void* d_ptr);
bool CopyToDevice(void* d_dst, const void* src, size_t bytes);
bool CopyToHost(void* dst, const void* d_src, size_t bytes);

// See ops.h: RmsNorm. d_x, d_y: [rows, n]; d_w: [n].
bool RmsNormCuda(const float* d_x, const float* d_w, float* d_y, int64_t rows, int64_t n, float eps);

}  // namespace engram::kernels::cuda
