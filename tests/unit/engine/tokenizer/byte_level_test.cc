#include "engine/tokenizer/byte_level.h"

#include <gtest/gtest.h>

#include <set>

namespace engram::engine::tokenizer {
namespace {

TEST(ByteLevel, IsABijectionOntoPrintableCodepoints) {
  std::set<uint32_t> seen;
  for (int b = 0; b < 256; ++b) {
    const uint32_t cp = ByteToCodepoint(static_cast<uint8_t>(b));
    EXPECT_TRUE(seen.insert(cp).second) << b;
    EXPECT_EQ(CodepointToByte(cp), b);
    EXPECT_GT(cp, 0x20u);
    EXPECT_LT(cp, 0x144u);
  }
  EXPECT_EQ(CodepointToByte(0x20), -1);
  EXPECT_EQ(CodepointToByte(0x4E16), -1);
}

TEST(ByteLevel, KnownSpellings) {
  EXPECT_EQ(ByteToCodepoint(' '), 0x120u);   // 'Ġ'
  EXPECT_EQ(ByteToCodepoint('\n'), 0x10Au);  // 'Ċ'
  EXPECT_EQ(ByteToCodepoint('\t'), 0x109u);  // 'ĉ'
  EXPECT_EQ(ByteToCodepoint('a'), 'a');
  EXPECT_EQ(ByteToCodepoint(0xAD), 0x143u);  // soft hyphen: the last remapped byte
  EXPECT_EQ(ByteLevelEncode("\n hi"), "ĊĠhi");
  EXPECT_EQ(ByteLevelEncode("é"), "Ã©");
}

TEST(ByteLevel, DecodeInvertsEncodeForAllBytes) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string back;
  EXPECT_TRUE(ByteLevelDecode(ByteLevelEncode(all), &back));
  EXPECT_EQ(back, all);
}

TEST(ByteLevel, DecodeCopiesUnmappedText) {
  std::string out;
  EXPECT_FALSE(ByteLevelDecode("Ġ世", &out));
  EXPECT_EQ(out, " 世");
}

}  // namespace
}  // namespace engram::engine::tokenizer
