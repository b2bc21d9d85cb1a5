#include "engine/tokenizer/special_token_matcher.h"

#include <gtest/gtest.h>

namespace engram::engine::tokenizer {
namespace {

TEST(SpecialTokenMatcher, EmptyFindsNothing) {
  SpecialTokenMatcher m;
  EXPECT_TRUE(m.empty());
  m.Add("", 3, true);
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.FindNext("anything", 0, true).has_value());
}

TEST(SpecialTokenMatcher, LeftmostThenLongest) {
  SpecialTokenMatcher m;
  m.Add("<a>", 1, true);
  m.Add("<a>b", 2, true);
  m.Add("x<a", 3, true);
  auto hit = m.FindNext("zz<a>bc", 0, false);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->offset, 2u);
  EXPECT_EQ(hit->length, 4u);
  EXPECT_EQ(hit->id, 2);
  hit = m.FindNext("x<a>", 0, false);  // "x<a" starts first
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->id, 3);
  hit = m.FindNext("<a><a>", 1, false);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->offset, 3u);
}

TEST(SpecialTokenMatcher, ControlTextsOnlyWhenParsingSpecials) {
  SpecialTokenMatcher m;
  m.Add("<ctl>", 1, false);
  m.Add("<user>", 2, true);
  EXPECT_FALSE(m.FindNext("a <ctl> b", 0, false).has_value());
  ASSERT_TRUE(m.FindNext("a <ctl> b", 0, true).has_value());
  EXPECT_EQ(m.FindNext("a <ctl> b", 0, true)->id, 1);
  EXPECT_EQ(m.FindNext("<ctl><user>", 0, false)->id, 2);
}

TEST(SpecialTokenMatcher, FirstIdOfARepeatedTextWins) {
  SpecialTokenMatcher m;
  m.Add("<t>", 5, true);
  m.Add("<t>", 9, true);
  EXPECT_EQ(m.FindNext("<t>", 0, false)->id, 5);
}

}  // namespace
}  // namespace engram::engine::tokenizer
