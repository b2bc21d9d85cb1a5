#include "engine/tokenizer/utf8.h"

#include <gtest/gtest.h>

namespace engram::engine::tokenizer {
namespace {

TEST(Utf8, ScansValidSequences) {
  EXPECT_EQ(ScanUtf8Sequence("A").status, Utf8Scan::kValid);
  Utf8Scan s = ScanUtf8Sequence("é");
  EXPECT_EQ(s.status, Utf8Scan::kValid);
  EXPECT_EQ(s.length, 2u);
  EXPECT_EQ(s.codepoint, 0xE9u);
  s = ScanUtf8Sequence("世x");
  EXPECT_EQ(s.length, 3u);
  EXPECT_EQ(s.codepoint, 0x4E16u);
  s = ScanUtf8Sequence("🚀");
  EXPECT_EQ(s.length, 4u);
  EXPECT_EQ(s.codepoint, 0x1F680u);
}

TEST(Utf8, InvalidSequencesReportTheirMaximalSubpart) {
  struct Case {
    std::string bytes;
    Utf8Scan::Status status;
    size_t length;
  };
  const Case cases[] = {
      {"\x80", Utf8Scan::kInvalid, 1},              // continuation byte as lead
      {"\xC0\x80", Utf8Scan::kInvalid, 1},          // overlong lead
      {"\xE0\x80\x80", Utf8Scan::kInvalid, 1},      // overlong 3-byte form
      {"\xED\xA0\x80", Utf8Scan::kInvalid, 1},      // surrogate
      {"\xF4\x90\x80\x80", Utf8Scan::kInvalid, 1},  // past U+10FFFF
      {"\xFF", Utf8Scan::kInvalid, 1},
      {"\xE4\x41", Utf8Scan::kInvalid, 1},
      {"\xE4\xB8\x41", Utf8Scan::kInvalid, 2},
      {"\xE4\xB8", Utf8Scan::kIncomplete, 2},
      {"\xF0\x9F\x98", Utf8Scan::kIncomplete, 3},
  };
  for (const Case& c : cases) {
    const Utf8Scan s = ScanUtf8Sequence(c.bytes);
    EXPECT_EQ(s.status, c.status) << ::testing::PrintToString(c.bytes);
    EXPECT_EQ(s.length, c.length) << ::testing::PrintToString(c.bytes);
  }
}

TEST(Utf8, ValidPrefix) {
  EXPECT_EQ(ValidUtf8Prefix(""), 0u);
  EXPECT_EQ(ValidUtf8Prefix("abc"), 3u);
  EXPECT_EQ(ValidUtf8Prefix("a€\xE2\x82"), 4u);
  EXPECT_EQ(ValidUtf8Prefix("\xFF"
                            "abc"),
            0u);
}

TEST(Utf8, AppendEncodesEveryLength) {
  std::string s;
  for (uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F680u}) AppendUtf8(cp, &s);
  EXPECT_EQ(s, "Aé€🚀");
}

TEST(Utf8, SanitizeReplacesEachInvalidSequenceOnce) {
  // Same results as Python's bytes.decode("utf-8", "replace").
  EXPECT_EQ(SanitizeUtf8("ok"), "ok");
  EXPECT_EQ(SanitizeUtf8("\xE4\xB8"
                         "A"),
            "\uFFFD"
            "A");
  EXPECT_EQ(SanitizeUtf8("a\xFF\xFE"
                         "b"),
            "a\uFFFD\uFFFD"
            "b");
  EXPECT_EQ(SanitizeUtf8("x\xF0\x9F\x98"), "x\uFFFD");
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");
}

}  // namespace
}  // namespace engram::engine::tokenizer
