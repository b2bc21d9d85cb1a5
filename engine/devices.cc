#include "engine/devices.h"

#include "kernels/device.h"

namespace engram::engine {

const Devices& GetDevices() {
  static const Devices devices = [] {
    const kernels::DeviceInfo& k = kernels::GetDeviceInfo();
    return Devices{k.cuda_compiled, k.gpu_count, k.gpu_name, k.cpu_features, k.kernel_variant};
  }();
  return devices;
}

}  // namespace engram::engine
