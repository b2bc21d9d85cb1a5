#include "kernels/device.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "kernels/ops.h"

namespace engram::kernels {
namespace {

TEST(DeviceInfo, ReportsTheBuildAndNeverCrashesWithoutAGpu) {
  const DeviceInfo& d = GetDeviceInfo();
#ifdef ENGRAM_HAVE_CUDA
  EXPECT_TRUE(d.cuda_compiled);
#else
  EXPECT_FALSE(d.cuda_compiled);
  EXPECT_EQ(d.gpu_count, 0);
#endif
  EXPECT_GE(d.gpu_count, 0);
  EXPECT_EQ(d.gpu_count == 0, d.gpu_name.empty());
  EXPECT_FALSE(d.kernel_variant.empty());
  EXPECT_EQ(d.kernel_variant, ActiveVariant());
}

}  // namespace
}  // namespace engram::kernels
