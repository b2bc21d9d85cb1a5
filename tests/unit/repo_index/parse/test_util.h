// Shared helpers of the parse tests: the per-language samples under testdata/.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "repo_index/language.h"

namespace engram::repo_index::testing {

struct Sample {
  Language language;
  std::string path;  // relative to the source root
};

inline std::vector<Sample> Samples() {
  const std::string dir = "tests/unit/repo_index/parse/testdata/";
  return {
      {Language::kC, dir + "c/sample.c"},
      {Language::kCpp, dir + "cpp/sample.cc"},
      {Language::kPython, dir + "python/sample.py"},
      {Language::kJavaScript, dir + "javascript/sample.js"},
      {Language::kTypeScript, dir + "typescript/sample.ts"},
      {Language::kTsx, dir + "tsx/sample.tsx"},
      {Language::kGo, dir + "go/sample.go"},
      {Language::kRust, dir + "rust/sample.rs"},
      {Language::kJava, dir + "java/sample.java"},
  };
}

inline std::string SourcePath(const std::string& relative) {
  return std::string(ENGRAM_SOURCE_DIR) + "/" + relative;
}

inline bool ReadText(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

}  // namespace engram::repo_index::testing
