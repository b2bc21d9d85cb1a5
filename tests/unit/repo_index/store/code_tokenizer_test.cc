#include "repo_index/store/code_tokenizer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace engram::repo_index {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Tokens as strings; a colocated token is written "{token}".
std::vector<std::string> Tokens(std::string_view text, bool for_document) {
  std::vector<std::string> out;
  for (const CodeToken& t : CodeTokenize(text, for_document)) {
    out.push_back(t.colocated ? "{" + t.text + "}" : t.text);
  }
  return out;
}

std::vector<std::string> Query(std::string_view text) { return Tokens(text, false); }
std::vector<std::string> Doc(std::string_view text) { return Tokens(text, true); }

TEST(CodeTokenizerTest, HeaderExample) {
  EXPECT_THAT(Query("parseHTTPRequest_v2"), ElementsAre("parse", "http", "request", "v2"));
  EXPECT_THAT(Doc("parseHTTPRequest_v2"),
              ElementsAre("parse", "{parsehttprequestv2}", "http", "request", "v2"));
}

TEST(CodeTokenizerTest, CamelCase) {
  EXPECT_THAT(Query("parseHttp"), ElementsAre("parse", "http"));
  EXPECT_THAT(Query("ParseHttp"), ElementsAre("parse", "http"));
  EXPECT_THAT(Query("getElementById"), ElementsAre("get", "element", "by", "id"));
  EXPECT_THAT(Query("x"), ElementsAre("x"));
}

TEST(CodeTokenizerTest, SnakeCase) {
  EXPECT_THAT(Query("parse_http"), ElementsAre("parse", "http"));
  EXPECT_THAT(Query("__init__"), ElementsAre("init"));
  EXPECT_THAT(Query("SCREAMING_CASE_NAME"), ElementsAre("screaming", "case", "name"));
  EXPECT_THAT(Query("a__b"), ElementsAre("a", "b"));
  // Only underscores: the run itself.
  EXPECT_THAT(Query("__"), ElementsAre("__"));
  EXPECT_THAT(Doc("_"), ElementsAre("_"));
}

TEST(CodeTokenizerTest, Acronyms) {
  EXPECT_THAT(Query("ParseHTTP"), ElementsAre("parse", "http"));
  EXPECT_THAT(Query("HTTPServer"), ElementsAre("http", "server"));
  EXPECT_THAT(Query("XMLHttpRequest"), ElementsAre("xml", "http", "request"));
  EXPECT_THAT(Query("IO"), ElementsAre("io"));
  EXPECT_THAT(Query("getURLs"), ElementsAre("get", "ur", "ls"));  // ambiguous; consistent both ways
}

TEST(CodeTokenizerTest, Digits) {
  EXPECT_THAT(Query("utf8"), ElementsAre("utf8"));
  EXPECT_THAT(Query("int32_t"), ElementsAre("int32", "t"));
  EXPECT_THAT(Query("md5sum"), ElementsAre("md5", "sum"));
  EXPECT_THAT(Query("x86_64"), ElementsAre("x86", "64"));
  EXPECT_THAT(Query("Vec3D"), ElementsAre("vec3", "d"));
  EXPECT_THAT(Query("2024"), ElementsAre("2024"));
  EXPECT_THAT(Doc("sha256Update"), ElementsAre("sha256", "{sha256update}", "update"));
}

TEST(CodeTokenizerTest, Punctuation) {
  EXPECT_THAT(Query("a.b->c(d, e);"), ElementsAre("a", "b", "c", "d", "e"));
  EXPECT_THAT(Query("  \t\n"), IsEmpty());
  EXPECT_THAT(Query(""), IsEmpty());
  EXPECT_THAT(Query("\"quoted\" (parens) :colon * - AND"),
              ElementsAre("quoted", "parens", "colon", "and"));
}

TEST(CodeTokenizerTest, Unicode) {
  EXPECT_THAT(Query("naïveParser"), ElementsAre("naïve", "parser"));
  EXPECT_THAT(Query("ÄrgerFoo"), ElementsAre("ärger", "foo"));
  EXPECT_THAT(Query("ΣΑΣ"), ElementsAre("σασ"));
  EXPECT_THAT(Query("Привет_мир"), ElementsAre("привет", "мир"));
  EXPECT_THAT(Query("変数名"), ElementsAre("変数名"));
  EXPECT_THAT(Query("emoji😀here"), ElementsAre("emoji😀here"));
  // Non-ASCII spaces and punctuation separate.
  EXPECT_THAT(Query("a\u00A0b\u2014c\u3000d"), ElementsAre("a", "b", "c", "d"));
}

TEST(CodeTokenizerTest, InvalidUtf8SeparatesAndNeverFails) {
  EXPECT_THAT(Query(std::string("abc\xff"
                                "def")),
              ElementsAre("abc", "def"));
  EXPECT_THAT(Query(std::string("abc\xc3")), ElementsAre("abc"));  // truncated sequence
  EXPECT_THAT(Query(std::string("\xc0\xafx")), ElementsAre("x"));  // overlong
  EXPECT_THAT(Query(std::string("a\xed\xa0\x80"
                                "b")),
              ElementsAre("a", "b"));  // surrogate
  EXPECT_THAT(Query(std::string("\x80\x80\x80")), IsEmpty());
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  (void)CodeTokenize(all, true);  // no crash
}

TEST(CodeTokenizerTest, LongRunsAreWhole) {
  std::string run64(60, 'a');
  run64 += "Bcde";  // 64 bytes: still split
  EXPECT_THAT(Query(run64), ElementsAre(std::string(60, 'a'), "bcde"));
  std::string run65 = run64 + "F";
  std::string lowered = std::string(60, 'a') + "bcdef";
  EXPECT_THAT(Query(run65), ElementsAre(lowered));
  EXPECT_THAT(Doc(run65), ElementsAre(lowered));
  std::string huge(100000, 'z');
  EXPECT_THAT(Query(huge), ElementsAre(huge));
}

TEST(CodeTokenizerTest, DocumentAddsWholeRunOnlyForSeveralParts) {
  EXPECT_THAT(Doc("parse"), ElementsAre("parse"));
  EXPECT_THAT(Doc("_parse"), ElementsAre("parse"));
  EXPECT_THAT(Doc("parse_http(x)"), ElementsAre("parse", "{parsehttp}", "http", "x"));
}

}  // namespace
}  // namespace engram::repo_index
