#include <cuda_runtime.h>

#include "kernels/cuda/cuda_api.h"

namespace engram::kernels::cuda {

int DeviceCount() {
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error; no driver means no GPU
    return 0;
  }
  return n;
}

std::string DeviceName(int device) {
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
    cudaGetLastError();
    return {};
  }
  return prop.name;
}

void* DeviceAlloc(size_t bytes) {
  void* p = nullptr;
  if (cudaMalloc(&p, bytes) != cudaSuccess) {
    cudaGetLastError();
    return nullptr;
  }
  return p;
}

void DeviceFree(void* d_ptr) { cudaFree(d_ptr); }

bool CopyToDevice(void* d_dst, const void* src, size_t bytes) {
  return cudaMemcpy(d_dst, src, bytes, cudaMemcpyHostToDevice) == cudaSuccess || (cudaGetLastError(), false);
}

bool CopyToHost(void* dst, const void* d_src, size_t bytes) {
  return cudaMemcpy(dst, d_src, bytes, cudaMemcpyDeviceToHost) == cudaSuccess || (cudaGetLastError(), false);
}

}  // namespace engram::kernels::cuda
