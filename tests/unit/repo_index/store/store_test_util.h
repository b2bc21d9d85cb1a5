// Helpers for the store tests: temporary directories, hand-made facts and synthetic C-like files.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "repo_index/parse/facts.h"
#include "repo_index/store/index_store.h"

namespace engram::repo_index::testing {

// A fresh directory under the system temp dir, removed with its contents at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "engram-store-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The range of the `occurrence`-th (0-based) appearance of `needle` in `content`.
inline SourceRange RangeOf(std::string_view content, std::string_view needle, int occurrence = 0) {
  size_t pos = content.find(needle);
  for (int i = 0; i < occurrence && pos != std::string_view::npos; ++i) {
    pos = content.find(needle, pos + 1);
  }
  EXPECT_NE(pos, std::string_view::npos) << needle;
  auto line_col = [&](size_t byte, uint32_t* line, uint32_t* col) {
    *line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < byte; ++i) {
      if (content[i] == '\n') {
        ++*line;
        line_start = i + 1;
      }
    }
    *col = static_cast<uint32_t>(byte - line_start);
  };
  SourceRange r;
  line_col(pos, &r.start_line, &r.start_column);
  line_col(pos + needle.size(), &r.end_line, &r.end_column);
  r.start_byte = static_cast<uint32_t>(pos);
  r.end_byte = static_cast<uint32_t>(pos + needle.size());
  return r;
}

// A range from line `first` to line `last` (1-based, inclusive) of `content`.
inline SourceRange LineRange(std::string_view content, uint32_t first, uint32_t last) {
  SourceRange r;
  r.start_line = first;
  r.end_line = last;
  uint32_t line = 1;
  size_t i = 0;
  for (; i < content.size() && line < first; ++i) {
    if (content[i] == '\n') ++line;
  }
  r.start_byte = static_cast<uint32_t>(i);
  for (; i < content.size(); ++i) {
    if (content[i] == '\n') {
      if (line == last) break;
      ++line;
    }
  }
  r.end_byte = static_cast<uint32_t>(i < content.size() ? i + 1 : i);
  return r;
}

inline Chunk MakeChunk(std::string_view content, uint32_t first, uint32_t last,
                       std::string scope = "", int32_t symbol = -1) {
  SourceRange r = LineRange(content, first, last);
  Chunk c;
  c.start_line = first;
  c.end_line = last;
  c.start_byte = r.start_byte;
  c.end_byte = r.end_byte;
  c.scope_path = std::move(scope);
  c.symbol = symbol;
  return c;
}

struct TestFile {
  FileRecord record;
  FileFacts facts;
  std::string content;
  std::vector<std::optional<std::string>> resolved;
};

inline FileRecord Record(std::string path, Language language, std::string_view content) {
  FileRecord r;
  r.path = std::move(path);
  r.blob_id = std::string(40, 'a');
  r.stat = {content.size(), 1700000000000000000, 42};
  r.language = language;
  r.tracked = true;
  r.line_count = static_cast<uint32_t>(std::count(content.begin(), content.end(), '\n'));
  return r;
}

// ---- synthetic C-like source ------------------------------------------------------------------
//
// Roughly what the kernel looks like to the store: ~32 bytes per line, a definition every 15
// lines, a call reference every second line, a chunk every 60 lines, a few includes per file.
class SyntheticCorpus {
 public:
  explicit SyntheticCorpus(uint32_t seed, size_t vocabulary = 60000) : rng_(seed) {
    static const char* kWords[] = {
        "alloc", "buf",   "cache", "dev",   "dma",     "entry", "fd",   "get",   "hash",   "init",
        "irq",   "kref",  "list",  "lock",  "map",     "net",   "node", "page",  "parse",  "pci",
        "put",   "queue", "read",  "reg",   "release", "req",   "ring", "sched", "skb",    "slab",
        "sock",  "spin",  "state", "sync",  "task",    "timer", "tx",   "rx",    "update", "usb",
        "virt",  "wait",  "work",  "write", "xfer",    "zone",  "acpi", "bio",   "blk",    "clk",
        "cpu",   "ctx",   "desc",  "drv",   "event",   "fw",    "gpio", "hw",    "i2c",    "inode",
        "io",    "mem",   "mm",    "mod",   "msg",     "mutex", "of",   "phy",   "pm",     "port",
        "probe", "ptr",   "rcu",   "ref",   "res",     "sg",    "sk",   "stat",  "sys",    "tbl"};
    const size_t n_words = sizeof(kWords) / sizeof(kWords[0]);
    std::uniform_int_distribution<size_t> word(0, n_words - 1);
    std::uniform_int_distribution<int> parts(1, 4);
    for (size_t i = 0; i < vocabulary; ++i) {
      std::string id;
      int n = parts(rng_);
      for (int p = 0; p < n; ++p) {
        if (p) id += '_';
        id += kWords[word(rng_)];
      }
      id += std::to_string(i % 97);  // keeps names distinct enough
      names_.push_back(std::move(id));
    }
  }

  // Zipf-like: low indices are much more frequent.
  const std::string& Name() {
    double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    return names_[static_cast<size_t>(u * u * u * static_cast<double>(names_.size()))];
  }

  TestFile MakeFile(const std::string& path, size_t target_bytes) {
    TestFile f;
    std::string& c = f.content;
    uint32_t line = 1;
    int32_t current = -1;
    uint32_t chunk_start_line = 1;
    uint32_t chunk_start_byte = 0;
    auto add_line = [&](const std::string& text) {
      c += text;
      c += '\n';
      ++line;
    };
    for (int i = 0; i < 3; ++i) {
      const std::string& inc = Name();
      f.facts.imports.push_back({"linux/" + inc + ".h", ImportKind::kIncludeSystem, line});
      f.resolved.push_back(i == 0 ? std::optional<std::string>("include/linux/" + inc + ".h")
                                  : std::nullopt);
      add_line("#include <linux/" + inc + ".h>");
    }
    while (c.size() < target_bytes) {
      if ((line % 15) == 0) {
        // A definition: "static int name(struct type *arg)"
        const std::string name = Name();
        const std::string type = Name();
        std::string text = "static int " + name + "(struct " + type + " *p)";
        Symbol s;
        s.name = name;
        s.kind = SymbolKind::kFunction;
        s.qualified_name = name;
        s.signature = text;
        s.range.start_line = line;
        s.range.end_line = line + 14;
        s.range.start_byte = static_cast<uint32_t>(c.size());
        s.range.end_byte = static_cast<uint32_t>(c.size() + 15 * 32);
        s.name_range.start_line = s.name_range.end_line = line;
        s.name_range.start_column = 11;
        s.name_range.end_column = static_cast<uint32_t>(11 + name.size());
        s.name_range.start_byte = static_cast<uint32_t>(c.size() + 11);
        s.name_range.end_byte = static_cast<uint32_t>(c.size() + 11 + name.size());
        if ((line % 45) == 0) s.doc = "Handles " + type + " for " + name + ".";
        current = static_cast<int32_t>(f.facts.symbols.size());
        f.facts.symbols.push_back(std::move(s));
        Reference type_ref;
        type_ref.name = type;
        type_ref.kind = ReferenceKind::kType;
        type_ref.range.start_line = type_ref.range.end_line = line;
        type_ref.range.start_byte = static_cast<uint32_t>(c.size() + text.find(type));
        type_ref.range.end_byte = static_cast<uint32_t>(type_ref.range.start_byte + type.size());
        type_ref.enclosing = current;
        f.facts.references.push_back(std::move(type_ref));
        add_line(text);
      } else if ((line % 2) == 0) {
        const std::string callee = Name();
        const std::string arg = Name();
        std::string text = "\tret = " + callee + "(" + arg + ", p->len);";
        Reference r;
        r.name = callee;
        r.kind = ReferenceKind::kCall;
        r.range.start_line = r.range.end_line = line;
        r.range.start_column = 7;
        r.range.end_column = static_cast<uint32_t>(7 + callee.size());
        r.range.start_byte = static_cast<uint32_t>(c.size() + 7);
        r.range.end_byte = static_cast<uint32_t>(c.size() + 7 + callee.size());
        r.enclosing = current;
        f.facts.references.push_back(std::move(r));
        add_line(text);
      } else {
        add_line("\tif (!" + Name() + ") return -EINVAL;");
      }
      if (line - chunk_start_line >= 60) {
        Chunk ch;
        ch.start_line = chunk_start_line;
        ch.end_line = line - 1;
        ch.start_byte = chunk_start_byte;
        ch.end_byte = static_cast<uint32_t>(c.size());
        ch.symbol = current;
        if (current >= 0) ch.scope_path = f.facts.symbols[static_cast<size_t>(current)].name;
        f.facts.chunks.push_back(std::move(ch));
        chunk_start_line = line;
        chunk_start_byte = static_cast<uint32_t>(c.size());
      }
    }
    if (chunk_start_byte < c.size()) {
      Chunk ch;
      ch.start_line = chunk_start_line;
      ch.end_line = line - 1;
      ch.start_byte = chunk_start_byte;
      ch.end_byte = static_cast<uint32_t>(c.size());
      f.facts.chunks.push_back(std::move(ch));
    }
    for (Symbol& s : f.facts.symbols) {
      s.range.end_byte = std::min<uint32_t>(s.range.end_byte, static_cast<uint32_t>(c.size()));
    }
    f.record = Record(path, Language::kC, c);
    return f;
  }

  const std::vector<std::string>& names() const { return names_; }

 private:
  std::mt19937 rng_;
  std::vector<std::string> names_;
};

}  // namespace engram::repo_index::testing
