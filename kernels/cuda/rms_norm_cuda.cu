// RMSNorm on the GPU: one block per row, a block-wide sum of squares, then scale by w.
#include <cuda_runtime.h>

#include "kernels/cuda/cuda_api.h"

namespace engram::kernels::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void RmsNormKernel(const float* __restrict__ x, const float* __restrict__ w,
                              float* __restrict__ y, int64_t n, float eps) {
  const float* xr = x + blockIdx.x * n;  // [n]
  float* yr = y + blockIdx.x * n;        // [n]
  float sum = 0.0f;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) sum += xr[i] * xr[i];
  // Warp reduction, then one value per warp through shared memory.
  for (int off = 16; off > 0; off >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, off);
  __shared__ float warp_sums[kThreads / 32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_sums[warp] = sum;
  __syncthreads();
  if (warp == 0) {
    sum = lane < kThreads / 32 ? warp_sums[lane] : 0.0f;
    for (int off = 16; off > 0; off >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, off);
    if (lane == 0) warp_sums[0] = sum;
  }
  __syncthreads();
  const float scale = rsqrtf(warp_sums[0] / static_cast<float>(n) + eps);
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) yr[i] = xr[i] * scale * w[i];
}

}  // namespace

bool RmsNormCuda(const float* d_x, const float* d_w, float* d_y, int64_t rows, int64_t n, float eps) {
  if (rows == 0 || n == 0) return true;
  RmsNormKernel<<<static_cast<unsigned>(rows), kThreads>>>(d_x, d_w, d_y, n, eps);
  if (cudaDeviceSynchronize() != cudaSuccess || cudaGetLastError() != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return true;
}

}  // namespace engram::kernels::cuda
