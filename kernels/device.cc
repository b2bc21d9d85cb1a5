#include "kernels/device.h"

#include "kernels/cpu/cpu_features.h"
#include "kernels/ops.h"
#ifdef ENGRAM_HAVE_CUDA
#include "kernels/cuda/cuda_api.h"
#endif

namespace engram::kernels {

const DeviceInfo& GetDeviceInfo() {
  static const DeviceInfo info = [] {
    DeviceInfo d;
#ifdef ENGRAM_HAVE_CUDA
    d.cuda_compiled = true;
    d.gpu_count = cuda::DeviceCount();
    if (d.gpu_count > 0) d.gpu_name = cuda::DeviceName(0);
#endif
    d.cpu_features = GetCpuFeatures().ToString();
    d.kernel_variant = std::string(ActiveVariant());
    return d;
  }();
  return info;
}

}  // namespace engram::kernels
