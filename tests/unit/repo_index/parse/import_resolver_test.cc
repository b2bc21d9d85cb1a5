// One test per language rule of ResolveImport (see import_resolver.h).
#include "repo_index/parse/import_resolver.h"

#include "gtest/gtest.h"

namespace engram::repo_index {
namespace {

std::optional<std::string> Resolve(Language language, std::string_view from, std::string spec, ImportKind kind,
                                   const PathSet& paths) {
  return ResolveImport(language, from, Import{std::move(spec), kind, 1}, paths);
}

TEST(PathSetTest, AddRemoveAndLookups) {
  PathSet paths({"a/b/x.h", "c/x.h", "a/y.c"});
  EXPECT_TRUE(paths.Contains("a/b/x.h"));
  EXPECT_EQ(paths.WithBasename("x.h"), (std::vector<std::string>{"a/b/x.h", "c/x.h"}));
  EXPECT_EQ(paths.InDirectory("a"), (std::vector<std::string>{"a/y.c"}));
  paths.Remove("c/x.h");
  EXPECT_FALSE(paths.Contains("c/x.h"));
  EXPECT_EQ(paths.WithBasename("x.h"), (std::vector<std::string>{"a/b/x.h"}));
  paths.Add("a/b/x.h");  // twice: no duplicate
  EXPECT_EQ(paths.WithBasename("x.h").size(), 1u);
}

TEST(ImportResolverTest, CLocalInclude) {
  PathSet paths({"drivers/net/foo.h", "drivers/util.h", "include/linux/list.h", "drivers/include/bar.h",
                 "lib/a/deep.h", "other/deep.h", "uniq/only.h", "x/dup.h", "y/dup.h"});
  // The including file's directory, then its ancestors.
  EXPECT_EQ(Resolve(Language::kC, "drivers/net/foo.c", "foo.h", ImportKind::kIncludeLocal, paths), "drivers/net/foo.h");
  EXPECT_EQ(Resolve(Language::kC, "drivers/net/foo.c", "util.h", ImportKind::kIncludeLocal, paths), "drivers/util.h");
  EXPECT_EQ(Resolve(Language::kC, "drivers/net/foo.c", "../util.h", ImportKind::kIncludeLocal, paths),
            "drivers/util.h");
  // include/ directories of the ancestors and the root.
  EXPECT_EQ(Resolve(Language::kC, "drivers/net/foo.c", "bar.h", ImportKind::kIncludeLocal, paths),
            "drivers/include/bar.h");
  EXPECT_EQ(Resolve(Language::kC, "drivers/net/foo.c", "linux/list.h", ImportKind::kIncludeLocal, paths),
            "include/linux/list.h");
  // A unique path-suffix match as the last resort; ambiguous ones do not resolve.
  EXPECT_EQ(Resolve(Language::kC, "src/main.c", "only.h", ImportKind::kIncludeLocal, paths), "uniq/only.h");
  EXPECT_EQ(Resolve(Language::kC, "src/main.c", "dup.h", ImportKind::kIncludeLocal, paths), std::nullopt);
  EXPECT_EQ(Resolve(Language::kC, "src/main.c", "missing.h", ImportKind::kIncludeLocal, paths), std::nullopt);
  EXPECT_EQ(Resolve(Language::kC, "a.c", "../../etc/passwd", ImportKind::kIncludeLocal, paths), std::nullopt);
}

TEST(ImportResolverTest, CSystemInclude) {
  PathSet paths({"include/linux/list.h", "linux/list.h", "config.h", "src/config.h"});
  // include/ first, then the root; the file's own directory is not searched.
  EXPECT_EQ(Resolve(Language::kC, "src/a.c", "linux/list.h", ImportKind::kIncludeSystem, paths),
            "include/linux/list.h");
  EXPECT_EQ(Resolve(Language::kCpp, "src/a.cc", "config.h", ImportKind::kIncludeSystem, paths), "config.h");
  EXPECT_EQ(Resolve(Language::kC, "src/a.c", "stdio.h", ImportKind::kIncludeSystem, paths), std::nullopt);
}

TEST(ImportResolverTest, Python) {
  PathSet paths({"pkg/__init__.py", "pkg/mod.py", "pkg/sub/__init__.py", "pkg/sub/leaf.py", "src/lib/__init__.py",
                 "src/lib/core.py", "top.py"});
  EXPECT_EQ(Resolve(Language::kPython, "main.py", "pkg.mod", ImportKind::kModule, paths), "pkg/mod.py");
  EXPECT_EQ(Resolve(Language::kPython, "main.py", "pkg.sub", ImportKind::kModule, paths), "pkg/sub/__init__.py");
  EXPECT_EQ(Resolve(Language::kPython, "main.py", "top", ImportKind::kModule, paths), "top.py");
  // Relative imports start at the file's package.
  EXPECT_EQ(Resolve(Language::kPython, "pkg/sub/leaf.py", ".", ImportKind::kModule, paths), "pkg/sub/__init__.py");
  EXPECT_EQ(Resolve(Language::kPython, "pkg/sub/leaf.py", "..mod", ImportKind::kModule, paths), "pkg/mod.py");
  EXPECT_EQ(Resolve(Language::kPython, "pkg/mod.py", ".sub.leaf", ImportKind::kModule, paths), "pkg/sub/leaf.py");
  EXPECT_EQ(Resolve(Language::kPython, "top.py", "...x", ImportKind::kModule, paths), std::nullopt);
  // A directory holding a top-level package (src layout).
  EXPECT_EQ(Resolve(Language::kPython, "tests/t.py", "lib.core", ImportKind::kModule, paths), "src/lib/core.py");
  EXPECT_EQ(Resolve(Language::kPython, "main.py", "os.path", ImportKind::kModule, paths), std::nullopt);
}

TEST(ImportResolverTest, JavaScriptAndTypeScript) {
  PathSet paths({"web/util.ts", "web/comp/index.tsx", "web/lib.js", "web/data.json", "web/esm.ts"});
  EXPECT_EQ(Resolve(Language::kTypeScript, "web/app.ts", "./util", ImportKind::kModule, paths), "web/util.ts");
  EXPECT_EQ(Resolve(Language::kTsx, "web/app.tsx", "./comp", ImportKind::kModule, paths), "web/comp/index.tsx");
  EXPECT_EQ(Resolve(Language::kJavaScript, "web/sub/x.js", "../lib", ImportKind::kModule, paths), "web/lib.js");
  EXPECT_EQ(Resolve(Language::kJavaScript, "web/x.js", "./data.json", ImportKind::kModule, paths), "web/data.json");
  // ESM TypeScript names the output file.
  EXPECT_EQ(Resolve(Language::kTypeScript, "web/app.ts", "./esm.js", ImportKind::kModule, paths), "web/esm.ts");
  // Packages do not resolve.
  EXPECT_EQ(Resolve(Language::kJavaScript, "web/x.js", "react", ImportKind::kModule, paths), std::nullopt);
  EXPECT_EQ(Resolve(Language::kJavaScript, "web/x.js", "./missing", ImportKind::kModule, paths), std::nullopt);
}

TEST(ImportResolverTest, Go) {
  PathSet paths({"go.mod", "internal/store/store.go", "internal/store/a_test.go", "internal/store/b.go",
                 "only_tests/x_test.go", "cmd/main.go"});
  paths.go_module = "example.com/app";
  EXPECT_EQ(Resolve(Language::kGo, "cmd/main.go", "example.com/app/internal/store", ImportKind::kModule, paths),
            "internal/store/b.go");
  EXPECT_EQ(Resolve(Language::kGo, "cmd/main.go", "example.com/app/only_tests", ImportKind::kModule, paths),
            "only_tests/x_test.go");
  EXPECT_EQ(Resolve(Language::kGo, "cmd/main.go", "fmt", ImportKind::kModule, paths), std::nullopt);
  EXPECT_EQ(Resolve(Language::kGo, "cmd/main.go", "example.com/app/nowhere", ImportKind::kModule, paths),
            std::nullopt);
}

TEST(ImportResolverTest, Rust) {
  PathSet paths({"src/lib.rs", "src/util.rs", "src/net/mod.rs", "src/net/http.rs", "src/store.rs",
                 "src/store/cache.rs", "src/shapes/circle.rs"});
  // `mod x;` next to lib.rs / mod.rs, or in the folder named after a non-root file.
  EXPECT_EQ(Resolve(Language::kRust, "src/lib.rs", "util", ImportKind::kModule, paths), "src/util.rs");
  EXPECT_EQ(Resolve(Language::kRust, "src/lib.rs", "net", ImportKind::kModule, paths), "src/net/mod.rs");
  EXPECT_EQ(Resolve(Language::kRust, "src/net/mod.rs", "http", ImportKind::kModule, paths), "src/net/http.rs");
  EXPECT_EQ(Resolve(Language::kRust, "src/store.rs", "cache", ImportKind::kModule, paths), "src/store/cache.rs");
  // crate:: paths from src/, the longest existing module wins (the tail may name an item).
  EXPECT_EQ(Resolve(Language::kRust, "src/net/http.rs", "crate::store::cache::Cache", ImportKind::kModule, paths),
            "src/store/cache.rs");
  EXPECT_EQ(Resolve(Language::kRust, "src/net/http.rs", "crate::util", ImportKind::kModule, paths), "src/util.rs");
  EXPECT_EQ(Resolve(Language::kRust, "src/net/http.rs", "super::http", ImportKind::kModule, paths),
            "src/net/http.rs");
  EXPECT_EQ(Resolve(Language::kRust, "src/lib.rs", "std::io", ImportKind::kModule, paths), std::nullopt);
}

TEST(ImportResolverTest, Java) {
  PathSet paths({"src/main/java/com/example/app/Service.java", "other/com/example/app/Service.java",
                 "src/main/java/com/example/Util.java"});
  // Ties break by the shortest path, then the smallest.
  EXPECT_EQ(Resolve(Language::kJava, "x/A.java", "com.example.app.Service", ImportKind::kModule, paths),
            "other/com/example/app/Service.java");
  EXPECT_EQ(Resolve(Language::kJava, "x/A.java", "com.example.Util.helper", ImportKind::kModule, paths),
            "src/main/java/com/example/Util.java");
  EXPECT_EQ(Resolve(Language::kJava, "x/A.java", "com.example.app.*", ImportKind::kModule, paths), std::nullopt);
  EXPECT_EQ(Resolve(Language::kJava, "x/A.java", "java.util.List", ImportKind::kModule, paths), std::nullopt);
}

TEST(ImportResolverTest, UnknownLanguageAndEmptySpec) {
  PathSet paths({"a.h"});
  EXPECT_EQ(Resolve(Language::kUnknown, "x", "a.h", ImportKind::kIncludeLocal, paths), std::nullopt);
  EXPECT_EQ(Resolve(Language::kC, "x.c", "", ImportKind::kIncludeLocal, paths), std::nullopt);
}

}  // namespace
}  // namespace engram::repo_index
