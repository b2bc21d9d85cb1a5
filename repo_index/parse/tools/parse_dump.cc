// engram-parse-dump: runs the parser over files and prints what it extracts.
//
//   engram-parse-dump [--lang=c] [--mode=dump|functions|bench] FILE... | @LIST
//
//   dump       DumpFacts() of each file (the golden format), after a "== path" line
//   functions  "name<TAB>line<TAB>path" for each function and method (ctags recall checks)
//   bench      parse every file, print files, bytes, seconds and MB/s (no output per file)
//
// The language is detected from each path unless --lang is given. `@LIST` reads paths, one a line.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "repo_index/language.h"
#include "repo_index/parse/facts_dump.h"
#include "repo_index/parse/parser.h"

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using engram::repo_index::Language;
  std::string mode = "dump";
  std::string lang_name;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--mode=", 0) == 0) {
      mode = arg.substr(7);
    } else if (arg.rfind("--lang=", 0) == 0) {
      lang_name = arg.substr(7);
    } else if (!arg.empty() && arg[0] == '@') {
      std::ifstream list(arg.substr(1));
      std::string line;
      while (std::getline(list, line)) {
        if (!line.empty()) paths.push_back(line);
      }
    } else {
      paths.push_back(arg);
    }
  }
  if (paths.empty() || (mode != "dump" && mode != "functions" && mode != "bench")) {
    std::fprintf(stderr, "usage: engram-parse-dump [--lang=L] [--mode=dump|functions|bench] FILE... | @LIST\n");
    return 2;
  }
  std::optional<Language> forced;
  if (!lang_name.empty()) {
    forced = engram::repo_index::LanguageFromName(lang_name);
    if (!forced) {
      std::fprintf(stderr, "engram-parse-dump: unknown language '%s'\n", lang_name.c_str());
      return 2;
    }
  }
  engram::repo_index::Parser parser;
  engram::repo_index::ParseOptions options;
  options.max_bytes = 64u << 20;
  uint64_t total_bytes = 0;
  size_t files = 0;
  size_t failures = 0;
  double seconds = 0;
  for (const std::string& path : paths) {
    std::string source;
    if (!ReadFile(path, &source)) {
      std::fprintf(stderr, "engram-parse-dump: cannot read '%s'\n", path.c_str());
      ++failures;
      continue;
    }
    Language language = forced ? *forced : engram::repo_index::DetectLanguage(path, source.substr(0, 8192));
    auto start = std::chrono::steady_clock::now();
    auto facts = parser.Parse(language, source, options);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!facts.ok()) {
      std::fprintf(stderr, "engram-parse-dump: %s: %s\n", path.c_str(), std::string(facts.status().message()).c_str());
      ++failures;
      continue;
    }
    total_bytes += source.size();
    ++files;
    if (mode == "dump") {
      std::cout << "== " << path << "\n" << engram::repo_index::DumpFacts(*facts);
    } else if (mode == "functions") {
      for (const auto& symbol : facts->symbols) {
        if (symbol.kind == engram::repo_index::SymbolKind::kFunction ||
            symbol.kind == engram::repo_index::SymbolKind::kMethod) {
          std::cout << symbol.name << "\t" << symbol.name_range.start_line << "\t" << path << "\n";
        }
      }
    }
  }
  if (mode == "bench") {
    std::printf("files=%zu bytes=%llu seconds=%.3f MB/s=%.2f failures=%zu\n", files,
                static_cast<unsigned long long>(total_bytes), seconds,
                seconds > 0 ? static_cast<double>(total_bytes) / 1e6 / seconds : 0.0, failures);
  }
  return failures == 0 ? 0 : 1;
}
