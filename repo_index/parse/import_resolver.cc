#include "repo_index/parse/import_resolver.h"

#include <algorithm>
#include <array>

namespace engram::repo_index {
namespace {

std::string_view Dirname(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Joins and normalises ("a/./b/../c" → "a/c"); nullopt when ".." climbs above the root.
std::optional<std::string> JoinPath(std::string_view directory, std::string_view relative) {
  std::vector<std::string_view> parts;
  auto push = [&](std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('/', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view part = text.substr(start, end - start);
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = end + 1;
    }
    return true;
  };
  if (!relative.starts_with('/') && !push(directory)) return std::nullopt;
  if (!push(relative)) return std::nullopt;
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(part);
  }
  return out;
}

std::optional<std::string> FirstExisting(const PathSet& paths, std::string_view directory,
                                         std::initializer_list<std::string> candidates) {
  for (const std::string& candidate : candidates) {
    std::optional<std::string> path = JoinPath(directory, candidate);
    if (path && !path->empty() && paths.Contains(*path)) return path;
  }
  return std::nullopt;
}

bool ShorterThenSmaller(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

// Paths equal to `suffix` or ending in "/" + suffix; sorted shortest first, then smallest.
std::vector<std::string> SuffixMatches(const PathSet& paths, std::string_view suffix) {
  std::vector<std::string> matches;
  for (std::string& path : paths.WithBasename(Basename(suffix))) {
    std::string_view view = path;
    if (view == suffix || (view.size() > suffix.size() && view.ends_with(suffix) &&
                           view[view.size() - suffix.size() - 1] == '/')) {
      matches.push_back(std::move(path));
    }
  }
  std::sort(matches.begin(), matches.end(), ShorterThenSmaller);
  return matches;
}

std::optional<std::string> ResolveInclude(std::string_view importing_path, const Import& import,
                                          const PathSet& paths) {
  const std::string& spec = import.spec;
  std::vector<std::string_view> ancestors;  // the file's directory up to the root ("")
  for (std::string_view dir = Dirname(importing_path);; dir = Dirname(dir)) {
    ancestors.push_back(dir);
    if (dir.empty()) break;
  }
  auto try_path = [&](std::string_view directory) -> std::optional<std::string> {
    std::optional<std::string> path = JoinPath(directory, spec);
    if (path && paths.Contains(*path)) return path;
    return std::nullopt;
  };
  if (import.kind == ImportKind::kIncludeLocal) {
    for (std::string_view dir : ancestors) {
      if (auto found = try_path(dir)) return found;
    }
  }
  // `include/` directories: in the file's ancestors (innermost first), the root's last.
  for (std::string_view dir : ancestors) {
    std::string include_dir = dir.empty() ? std::string("include") : std::string(dir) + "/include";
    if (auto found = try_path(include_dir)) return found;
  }
  if (import.kind == ImportKind::kIncludeSystem) {
    if (auto found = try_path("")) return found;
  }
  std::optional<std::string> normalised = JoinPath("", spec);
  if (!normalised || normalised->empty()) return std::nullopt;
  std::vector<std::string> matches = SuffixMatches(paths, *normalised);
  if (matches.size() == 1) return matches.front();
  return std::nullopt;
}

std::optional<std::string> PythonModule(const PathSet& paths, std::string_view directory,
                                        std::string_view dotted) {
  std::string relative;
  for (char c : dotted) relative.push_back(c == '.' ? '/' : c);
  if (relative.empty()) return FirstExisting(paths, directory, {"__init__.py"});
  return FirstExisting(paths, directory, {relative + ".py", relative + "/__init__.py", relative + ".pyi"});
}

std::optional<std::string> ResolvePython(std::string_view importing_path, const Import& import,
                                         const PathSet& paths) {
  std::string_view spec = import.spec;
  if (spec.starts_with('.')) {
    size_t dots = spec.find_first_not_of('.');
    if (dots == std::string_view::npos) dots = spec.size();
    std::string_view directory = Dirname(importing_path);
    for (size_t i = 1; i < dots; ++i) {
      if (directory.empty()) return std::nullopt;
      directory = Dirname(directory);
    }
    return PythonModule(paths, directory, spec.substr(dots));
  }
  if (spec.empty()) return std::nullopt;
  if (auto found = PythonModule(paths, "", spec)) return found;
  // A directory holding a top-level package (src/ layouts): the shortest suffix match.
  std::string relative;
  for (char c : spec) relative.push_back(c == '.' ? '/' : c);
  for (const std::string& suffix : {relative + ".py", relative + "/__init__.py"}) {
    std::vector<std::string> matches = SuffixMatches(paths, suffix);
    if (!matches.empty()) return matches.front();
  }
  return std::nullopt;
}

std::optional<std::string> ResolveScript(Language language, std::string_view importing_path,
                                         const Import& import, const PathSet& paths) {
  std::string_view spec = import.spec;
  if (!(spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == "..")) {
    return std::nullopt;  // a package
  }
  std::string_view directory = Dirname(importing_path);
  std::string base(spec);
  std::vector<std::string> candidates = {base};
  bool typescript = language == Language::kTypeScript || language == Language::kTsx;
  static constexpr std::array<std::string_view, 6> kExtensions = {".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"};
  for (std::string_view extension : kExtensions) candidates.push_back(base + std::string(extension));
  for (std::string_view index : {"/index.ts", "/index.tsx", "/index.js", "/index.jsx"}) {
    candidates.push_back(base + std::string(index));
  }
  // TypeScript ESM writes the output name: "./x.js" is the source ./x.ts.
  if (typescript || language == Language::kJavaScript) {
    for (std::string_view js : {".js", ".jsx", ".mjs", ".cjs"}) {
      if (std::string_view(base).ends_with(js)) {
        std::string stem = base.substr(0, base.size() - js.size());
        candidates.push_back(stem + ".ts");
        candidates.push_back(stem + ".tsx");
        candidates.push_back(stem + (js == ".mjs" ? ".mts" : js == ".cjs" ? ".cts" : ".ts"));
      }
    }
  }
  for (const std::string& candidate : candidates) {
    std::optional<std::string> path = JoinPath(directory, candidate);
    if (path && !path->empty() && paths.Contains(*path)) return path;
  }
  return std::nullopt;
}

std::optional<std::string> ResolveGo(const Import& import, const PathSet& paths) {
  std::string_view spec = import.spec;
  std::string_view module = paths.go_module;
  std::string_view directory;
  if (!module.empty() && spec == module) {
    directory = "";
  } else if (!module.empty() && spec.size() > module.size() && spec.starts_with(module) &&
             spec[module.size()] == '/') {
    directory = spec.substr(module.size() + 1);
  } else {
    directory = spec;
  }
  std::optional<std::string> normalised = JoinPath("", directory);
  if (!normalised) return std::nullopt;
  std::optional<std::string> test_file;
  for (const std::string& path : paths.InDirectory(*normalised)) {
    if (!std::string_view(path).ends_with(".go")) continue;
    if (std::string_view(path).ends_with("_test.go")) {
      if (!test_file) test_file = path;
      continue;
    }
    return path;
  }
  return test_file;
}

std::vector<std::string_view> SplitColons(std::string_view spec) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find("::", start);
    if (end == std::string_view::npos) end = spec.size();
    parts.push_back(spec.substr(start, end - start));
    start = end + 2;
  }
  return parts;
}

// Tries dir/a/b/c.rs, dir/a/b/c/mod.rs, then shorter prefixes (the tail may name an item).
std::optional<std::string> RustModulePath(const PathSet& paths, std::string_view directory,
                                          const std::vector<std::string_view>& segments) {
  for (size_t length = segments.size(); length > 0; --length) {
    std::string relative;
    for (size_t i = 0; i < length; ++i) {
      if (segments[i].empty() || segments[i] == "*" || segments[i].starts_with('{')) return std::nullopt;
      if (i > 0) relative.push_back('/');
      relative.append(segments[i]);
    }
    if (auto found = FirstExisting(paths, directory, {relative + ".rs", relative + "/mod.rs"})) return found;
  }
  return std::nullopt;
}

std::optional<std::string> ResolveRust(std::string_view importing_path, const Import& import,
                                       const PathSet& paths) {
  std::vector<std::string_view> segments = SplitColons(import.spec);
  if (segments.empty()) return std::nullopt;
  // The directory holding this module's children: next to lib.rs/main.rs/mod.rs, else in a
  // folder named after the file (src/a.rs → src/a/).
  std::string_view file_dir = Dirname(importing_path);
  std::string_view base = Basename(importing_path);
  std::string module_dir(file_dir);
  if (base != "lib.rs" && base != "main.rs" && base != "mod.rs" && base.ends_with(".rs")) {
    module_dir = (file_dir.empty() ? std::string() : std::string(file_dir) + "/") +
                 std::string(base.substr(0, base.size() - 3));
  }
  // The crate's src/ directory: the nearest ancestor named src, else the root's.
  std::string crate_dir = "src";
  for (std::string_view dir = file_dir; !dir.empty(); dir = Dirname(dir)) {
    if (Basename(dir) == "src") {
      crate_dir = std::string(dir);
      break;
    }
  }
  std::string_view head = segments.front();
  std::vector<std::string_view> rest(segments.begin() + 1, segments.end());
  if (head == "crate") return RustModulePath(paths, crate_dir, rest);
  if (head == "self") return RustModulePath(paths, module_dir, rest);
  if (head == "super") {
    std::string_view parent = Dirname(module_dir);
    size_t i = 0;
    while (i < rest.size() && rest[i] == "super") {
      parent = Dirname(parent);
      ++i;
    }
    std::vector<std::string_view> tail(rest.begin() + static_cast<std::ptrdiff_t>(i), rest.end());
    if (tail.empty()) return std::nullopt;
    return RustModulePath(paths, parent, tail);
  }
  // `mod x;` (or a use of a sibling module): next to the file, then the file's own directory.
  if (auto found = RustModulePath(paths, module_dir, segments)) return found;
  if (module_dir != file_dir) return RustModulePath(paths, file_dir, segments);
  return std::nullopt;
}

std::optional<std::string> ResolveJava(const Import& import, const PathSet& paths) {
  std::string_view spec = import.spec;
  if (spec.ends_with(".*")) return std::nullopt;  // a package
  std::string relative;
  for (char c : spec) relative.push_back(c == '.' ? '/' : c);
  // Static imports name a member: drop trailing components until a class file matches.
  for (int drop = 0; drop < 3 && !relative.empty(); ++drop) {
    std::vector<std::string> matches = SuffixMatches(paths, relative + ".java");
    if (!matches.empty()) return matches.front();
    size_t slash = relative.rfind('/');
    if (slash == std::string::npos) break;
    relative.resize(slash);
  }
  return std::nullopt;
}

}  // namespace

PathSet::PathSet(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) Add(path);
}

void PathSet::Add(std::string_view path) {
  auto [it, inserted] = paths_.emplace(path);
  if (!inserted) return;
  by_basename_.emplace(std::string(Basename(path)), *it);
  by_directory_.emplace(std::string(Dirname(path)), *it);
}

void PathSet::Remove(std::string_view path) {
  auto it = paths_.find(std::string(path));
  if (it == paths_.end()) return;
  auto erase_from = [&](std::unordered_multimap<std::string, std::string>& map, std::string_view key) {
    auto [begin, end] = map.equal_range(std::string(key));
    for (auto entry = begin; entry != end; ++entry) {
      if (entry->second == path) {
        map.erase(entry);
        break;
      }
    }
  };
  erase_from(by_basename_, Basename(path));
  erase_from(by_directory_, Dirname(path));
  paths_.erase(it);
}

bool PathSet::Contains(std::string_view path) const { return paths_.contains(std::string(path)); }

std::vector<std::string> PathSet::WithBasename(std::string_view basename) const {
  std::vector<std::string> out;
  auto [begin, end] = by_basename_.equal_range(std::string(basename));
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> PathSet::InDirectory(std::string_view directory) const {
  std::vector<std::string> out;
  auto [begin, end] = by_directory_.equal_range(std::string(directory));
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> ResolveImport(Language language, std::string_view importing_path,
                                         const Import& import, const PathSet& paths) {
  if (import.spec.empty()) return std::nullopt;
  switch (language) {
    case Language::kC:
    case Language::kCpp:
      return ResolveInclude(importing_path, import, paths);
    case Language::kPython:
      return ResolvePython(importing_path, import, paths);
    case Language::kJavaScript:
    case Language::kTypeScript:
    case Language::kTsx:
      return ResolveScript(language, importing_path, import, paths);
    case Language::kGo:
      return ResolveGo(import, paths);
    case Language::kRust:
      return ResolveRust(importing_path, import, paths);
    case Language::kJava:
      return ResolveJava(import, paths);
    case Language::kUnknown:
      break;
  }
  return std::nullopt;
}

}  // namespace engram::repo_index
