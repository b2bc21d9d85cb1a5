// Resolves an import to a file of the repository, when its path resolves.
//
//   PathSet paths(all_indexed_paths);
//   std::optional<std::string> target =
//       ResolveImport(Language::kC, "drivers/net/foo.c", {"foo.h", ImportKind::kIncludeLocal, 3}, paths);
//
// Rules per language (docs/formats/index.md repeats them):
//   C/C++   "x.h": the including file's directory, then each ancestor directory, then any `include/`
//           directory at the root or in an ancestor; <x.h>: the `include/` directories, then the
//           root. A unique path-suffix match is the last resort.
//   Python  "a.b.c" (and relative ".c", "..b"): a/b/c.py or a/b/c/__init__.py, from the file's package
//           for relative imports, else from the root or any directory holding a top-level package.
//   JS/TS   "./x", "../x": x, x.ts, x.tsx, x.js, x.jsx, x.mjs, x.cjs, x/index.{ts,tsx,js,jsx}; bare
//           specifiers (packages) do not resolve.
//   Go      the module path from go.mod is stripped; the import names a directory: the first .go file in
//           it (sorted, `_test.go` files only when there is nothing else) is the target.
//   Rust    `mod x;` → x.rs or x/mod.rs next to the file; `crate::a::b` → src/a.rs, src/a/mod.rs, ...
//   Java    "a.b.C" → a path ending in a/b/C.java.
// Pure function of its inputs (deterministic: ties break by the shortest, then smallest path).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "repo_index/language.h"
#include "repo_index/parse/facts.h"

namespace engram::repo_index {

// The set of repository-relative paths the resolver may answer with, with the lookups it needs.
class PathSet {
 public:
  PathSet() = default;
  explicit PathSet(const std::vector<std::string>& paths);
  void Add(std::string_view path);
  void Remove(std::string_view path);
  bool Contains(std::string_view path) const;
  // Paths whose last component is `basename`, sorted.
  std::vector<std::string> WithBasename(std::string_view basename) const;
  // Paths directly inside `directory` ("" for the root), sorted.
  std::vector<std::string> InDirectory(std::string_view directory) const;
  // The contents of go.mod's `module` line, if the caller set it.
  std::string go_module;

 private:
  std::unordered_set<std::string> paths_;
  std::unordered_multimap<std::string, std::string> by_basename_;
  std::unordered_multimap<std::string, std::string> by_directory_;
};

std::optional<std::string> ResolveImport(Language language, std::string_view importing_path,
                                         const Import& import, const PathSet& paths);

}  // namespace engram::repo_index
