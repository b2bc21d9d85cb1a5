// kernels/dtype.h: ids, names and block geometry of the ggml types.
#include "kernels/dtype.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace engram::kernels {
namespace {

TEST(DType, IdsAndNamesMatchGgml) {
  struct Case {
    DType type;
    uint32_t id;
    const char* name;
    int64_t block_elems, block_bytes;
    bool supported;
  };
  const Case cases[] = {
      {DType::kF32, 0, "f32", 1, 4, true},           {DType::kF16, 1, "f16", 1, 2, true},
      {DType::kQ4_0, 2, "q4_0", 32, 18, true},       {DType::kQ4_1, 3, "q4_1", 32, 20, true},
      {DType::kQ5_0, 6, "q5_0", 32, 22, true},       {DType::kQ5_1, 7, "q5_1", 32, 24, true},
      {DType::kQ8_0, 8, "q8_0", 32, 34, true},       {DType::kQ8_1, 9, "q8_1", 32, 36, true},
      {DType::kQ2_K, 10, "q2_K", 256, 84, false},    {DType::kQ3_K, 11, "q3_K", 256, 110, false},
      {DType::kQ4_K, 12, "q4_K", 256, 144, true},    {DType::kQ5_K, 13, "q5_K", 256, 176, true},
      {DType::kQ6_K, 14, "q6_K", 256, 210, true},    {DType::kQ8_K, 15, "q8_K", 256, 292, true},
      {DType::kIQ4_NL, 20, "iq4_nl", 32, 18, false}, {DType::kI8, 24, "i8", 1, 1, true},
      {DType::kI32, 26, "i32", 1, 4, true},          {DType::kF64, 28, "f64", 1, 8, true},
      {DType::kBF16, 30, "bf16", 1, 2, true},        {DType::kMXFP4, 39, "mxfp4", 32, 17, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(static_cast<uint32_t>(c.type), c.id);
    EXPECT_TRUE(IsKnownDType(c.id));
    EXPECT_EQ(DTypeName(c.type), c.name);
    EXPECT_EQ(BlockElems(c.type), c.block_elems);
    EXPECT_EQ(BlockBytes(c.type), c.block_bytes);
    EXPECT_EQ(IsSupported(c.type), c.supported);
    EXPECT_EQ(DTypeFromName(c.name), c.type);
  }
}

TEST(DType, RetiredAndOutOfRangeIdsAreUnknown) {
  for (uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 40u, 1000u, 0xFFFFFFFFu}) {
    SCOPED_TRACE(id);
    const auto t = static_cast<DType>(id);
    EXPECT_FALSE(IsKnownDType(id));
    EXPECT_FALSE(IsSupported(t));
    EXPECT_EQ(DTypeName(t), "unknown");
    EXPECT_EQ(BlockElems(t), 0);
    EXPECT_EQ(BlockBytes(t), 0);
    EXPECT_EQ(RowBytes(t, 32), -1);
  }
}

TEST(DType, FromNameIsCaseInsensitive) {
  EXPECT_EQ(DTypeFromName("Q4_K"), DType::kQ4_K);
  EXPECT_EQ(DTypeFromName("BF16"), DType::kBF16);
  EXPECT_EQ(DTypeFromName("q5_k"), DType::kQ5_K);
  EXPECT_EQ(DTypeFromName("q4_2"), std::nullopt);
  EXPECT_EQ(DTypeFromName(""), std::nullopt);
}

TEST(DType, RowBytesChecksDivisibilityAndOverflow) {
  EXPECT_EQ(RowBytes(DType::kF32, 0), 0);
  EXPECT_EQ(RowBytes(DType::kF32, 7), 28);
  EXPECT_EQ(RowBytes(DType::kQ8_0, 64), 68);
  EXPECT_EQ(RowBytes(DType::kQ8_0, 33), -1);
  EXPECT_EQ(RowBytes(DType::kQ4_K, 4096), 16 * 144);
  EXPECT_EQ(RowBytes(DType::kQ4_K, 128), -1);
  EXPECT_EQ(RowBytes(DType::kF16, -2), -1);
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(RowBytes(DType::kF32, max / 4), max / 4 * 4);
  EXPECT_EQ(RowBytes(DType::kF32, max / 4 + 1), -1);
  EXPECT_EQ(RowBytes(DType::kQ8_0, (max / 32) * 32), -1);  // 34 bytes per 32 elements overflows
}

}  // namespace
}  // namespace engram::kernels
