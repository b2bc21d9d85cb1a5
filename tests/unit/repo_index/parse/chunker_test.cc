// Chunk invariants (ordered, no overlap, bounded, only whitespace left out) on every sample, on a
// generated long file, and for plain text.
#include <string>

#include "gtest/gtest.h"
#include "repo_index/parse/parser.h"
#include "tests/unit/repo_index/parse/test_util.h"

namespace engram::repo_index {
namespace {

void ExpectChunkInvariants(std::string_view source, const std::vector<Chunk>& chunks, const ParseOptions& options,
                           const std::vector<Symbol>& symbols = {}) {
  uint32_t covered_to = 0;
  for (const Chunk& chunk : chunks) {
    ASSERT_LT(chunk.start_byte, chunk.end_byte);
    ASSERT_LE(chunk.end_byte, source.size());
    // In order, no overlap, and the gap before the chunk is whitespace only.
    ASSERT_GE(chunk.start_byte, covered_to);
    std::string_view gap = source.substr(covered_to, chunk.start_byte - covered_to);
    EXPECT_EQ(gap.find_first_not_of(" \t\r\n\f\v"), std::string_view::npos) << "dropped text before byte "
                                                                          << chunk.start_byte;
    covered_to = chunk.end_byte;
    EXPECT_LE(chunk.end_byte - chunk.start_byte, options.chunk_max_bytes);
    EXPECT_LE(chunk.end_line - chunk.start_line + 1, options.chunk_max_lines);
    EXPECT_LE(chunk.start_line, chunk.end_line);
    if (chunk.symbol >= 0) {
      ASSERT_LT(static_cast<size_t>(chunk.symbol), symbols.size());
      EXPECT_EQ(chunk.scope_path, symbols[chunk.symbol].qualified_name);
    } else {
      EXPECT_EQ(chunk.scope_path, "");
    }
    // Lines agree with bytes.
    uint32_t line = 1;
    for (uint32_t b = 0; b < chunk.start_byte; ++b) line += source[b] == '\n';
    EXPECT_EQ(line, chunk.start_line);
  }
  std::string_view tail = source.substr(covered_to);
  EXPECT_EQ(tail.find_first_not_of(" \t\r\n\f\v"), std::string_view::npos) << "dropped text at the end";
}

TEST(ChunkerTest, SamplesSatisfyInvariants) {
  Parser parser;
  for (const testing::Sample& sample : testing::Samples()) {
    std::string source;
    ASSERT_TRUE(testing::ReadText(testing::SourcePath(sample.path), &source));
    for (uint32_t target : {3u, 10u, 60u}) {
      ParseOptions options;
      options.chunk_target_lines = target;
      options.chunk_max_lines = target * 2;
      options.chunk_max_bytes = 300;
      auto facts = parser.Parse(sample.language, source, options);
      ASSERT_TRUE(facts.ok()) << facts.status();
      SCOPED_TRACE(sample.path + " target " + std::to_string(target));
      ExpectChunkInvariants(source, facts->chunks, options, facts->symbols);
    }
  }
}

std::string LongCppFile() {
  std::string source = "#include <vector>\n\nnamespace big {\n\nclass Huge {\n public:\n";
  for (int m = 0; m < 40; ++m) {
    source += "  int method" + std::to_string(m) + "(int x) {\n";
    for (int l = 0; l < 12; ++l) source += "    x += " + std::to_string(l) + ";\n";
    source += "    return x;\n  }\n\n";
  }
  source += "};\n\n";
  source += "int long_function() {\n  int total = 0;\n";
  for (int l = 0; l < 500; ++l) {
    source += "  total += " + std::to_string(l) + ";\n";
    if (l % 37 == 0) source += "\n";
  }
  source += "  return total;\n}\n\n}  // namespace big\n";
  return source;
}

TEST(ChunkerTest, LongFileIsSplitAtDefinitions) {
  std::string source = LongCppFile();
  Parser parser;
  ParseOptions options;
  auto facts = parser.Parse(Language::kCpp, source, options);
  ASSERT_TRUE(facts.ok());
  ExpectChunkInvariants(source, facts->chunks, options, facts->symbols);
  // The class is longer than chunk_max_lines: it is cut between its methods, never inside one.
  int methods = 0;
  for (const Symbol& symbol : facts->symbols) {
    if (symbol.qualified_name.find("big::Huge::method") != 0) continue;
    ++methods;
    for (const Chunk& chunk : facts->chunks) {
      bool holds_start = chunk.start_line <= symbol.range.start_line && symbol.range.start_line <= chunk.end_line;
      if (holds_start) {
        EXPECT_GE(chunk.end_line, symbol.range.end_line) << symbol.qualified_name << " is split";
      }
    }
  }
  EXPECT_EQ(methods, 40);
  int long_function_chunks = 0;
  for (const Chunk& chunk : facts->chunks) long_function_chunks += chunk.scope_path == "big::long_function";
  EXPECT_GE(long_function_chunks, 5);
}

TEST(ChunkerTest, SmallNeighboursAreMerged) {
  std::string source;
  for (int i = 0; i < 30; ++i) source += "int f" + std::to_string(i) + "(void) { return " + std::to_string(i) + "; }\n";
  Parser parser;
  ParseOptions options;
  auto facts = parser.Parse(Language::kC, source, options);
  ASSERT_TRUE(facts.ok());
  ASSERT_EQ(facts->chunks.size(), 1u);
  EXPECT_EQ(facts->chunks[0].start_line, 1u);
  EXPECT_EQ(facts->chunks[0].end_line, 30u);
  EXPECT_EQ(facts->chunks[0].symbol, -1);
}

TEST(ChunkerTest, LongLinesAreCutAtUtf8Boundaries) {
  std::string line;
  while (line.size() < 20000) line += "\xc3\xa9\xe2\x82\xac";  // é€
  std::string source = "x = 1\n" + line + "\ny = 2\n";
  ParseOptions options;
  options.chunk_max_bytes = 1001;
  std::vector<Chunk> chunks = ChunkPlainText(source, options);
  ExpectChunkInvariants(source, chunks, options);
  for (const Chunk& chunk : chunks) {
    // Never starts on a continuation byte.
    EXPECT_NE(static_cast<unsigned char>(source[chunk.start_byte]) & 0xC0, 0x80);
  }
}

TEST(ChunkerTest, PlainTextCutsAtBlankLines) {
  std::string source;
  for (int paragraph = 0; paragraph < 20; ++paragraph) {
    for (int l = 0; l < 9; ++l) source += "text line " + std::to_string(l) + "\n";
    source += "\n";
  }
  ParseOptions options;
  options.chunk_target_lines = 25;
  options.chunk_max_lines = 50;
  std::vector<Chunk> chunks = ChunkPlainText(source, options);
  ExpectChunkInvariants(source, chunks, options);
  ASSERT_GE(chunks.size(), 6u);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].end_line % 10, 0u) << "chunk " << i << " ends at line " << chunks[i].end_line;
  }
  EXPECT_TRUE(ChunkPlainText("").empty());
  EXPECT_TRUE(ChunkPlainText("\n\n  \n").empty());
}

}  // namespace
}  // namespace engram::repo_index
