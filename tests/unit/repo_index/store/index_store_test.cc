#include "repo_index/store/index_store.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "repo_index/store/sqlite.h"
#include "tests/unit/repo_index/store/store_test_util.h"

namespace engram::repo_index {
namespace {

using ::engram::repo_index::testing::LineRange;
using ::engram::repo_index::testing::MakeChunk;
using ::engram::repo_index::testing::RangeOf;
using ::engram::repo_index::testing::Record;
using ::engram::repo_index::testing::SyntheticCorpus;
using ::engram::repo_index::testing::TempDir;
using ::engram::repo_index::testing::TestFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kHttpSource =
    "namespace net {\n"                                    // 1
    "class Http {\n"                                       // 2
    "  int parse_http(int x) {\n"                          // 3
    "    return helper(x);\n"                              // 4
    "  }\n"                                                // 5
    "};\n"                                                 // 6
    "}\n"                                                  // 7
    "int main() { return net::Http().parse_http(1); }\n";  // 8

Symbol MakeSymbol(std::string_view content, std::string name, SymbolKind kind,
                  std::string qualified, uint32_t first, uint32_t last, int32_t parent,
                  int occurrence = 0) {
  Symbol s;
  s.name = name;
  s.kind = kind;
  s.qualified_name = std::move(qualified);
  s.range = LineRange(content, first, last);
  s.name_range = RangeOf(content, name, occurrence);
  s.signature = "sig of " + name;
  s.parent = parent;
  return s;
}

Reference MakeRef(std::string_view content, std::string name, ReferenceKind kind, int32_t enclosing,
                  int occurrence = 0) {
  Reference r;
  r.name = name;
  r.kind = kind;
  r.range = RangeOf(content, name, occurrence);
  r.enclosing = enclosing;
  return r;
}

TestFile HttpFile(std::string path = "src/net/http.cc") {
  TestFile f;
  f.content = std::string(kHttpSource);
  const std::string& c = f.content;
  f.facts.symbols = {
      MakeSymbol(c, "net", SymbolKind::kNamespace, "net", 1, 7, -1),
      MakeSymbol(c, "Http", SymbolKind::kClass, "net::Http", 2, 6, 0),
      MakeSymbol(c, "parse_http", SymbolKind::kMethod, "net::Http::parse_http", 3, 5, 1),
      MakeSymbol(c, "main", SymbolKind::kFunction, "main", 8, 8, -1),
  };
  f.facts.symbols[2].doc = "Parses a request.";
  f.facts.references = {
      MakeRef(c, "helper", ReferenceKind::kCall, 2),
      MakeRef(c, "Http", ReferenceKind::kType, 3, 1),
      MakeRef(c, "parse_http", ReferenceKind::kCall, 3, 1),
  };
  f.facts.imports = {{"util.h", ImportKind::kIncludeLocal, 1},
                     {"vector", ImportKind::kIncludeSystem, 1}};
  f.resolved = {std::string("src/net/util.h"), std::nullopt};
  f.facts.chunks = {MakeChunk(c, 1, 7, "net", 0), MakeChunk(c, 8, 8, "main", 3)};
  f.record = Record(path, Language::kCpp, c);
  return f;
}

TestFile PyFile(std::string path = "tools/run.py") {
  TestFile f;
  f.content =
      "import os.path\n"
      "def parseHttp(req):\n"
      "    return helper(req)\n"
      "class ParseHTTPError(Exception):\n"
      "    pass\n";
  const std::string& c = f.content;
  f.facts.symbols = {
      MakeSymbol(c, "parseHttp", SymbolKind::kFunction, "run.parseHttp", 2, 3, -1),
      MakeSymbol(c, "ParseHTTPError", SymbolKind::kClass, "run.ParseHTTPError", 4, 5, -1),
  };
  f.facts.references = {MakeRef(c, "helper", ReferenceKind::kCall, 0),
                        MakeRef(c, "Exception", ReferenceKind::kType, 1)};
  f.facts.imports = {{"os.path", ImportKind::kModule, 1}};
  f.facts.chunks = {MakeChunk(c, 1, 1), MakeChunk(c, 2, 3, "run.parseHttp", 0),
                    MakeChunk(c, 4, 5, "run.ParseHTTPError", 1)};
  f.record = Record(path, Language::kPython, c);
  return f;
}

std::unique_ptr<IndexStore> OpenStore(const std::string& path) {
  absl::StatusOr<std::unique_ptr<IndexStore>> store = IndexStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

void Upsert(IndexStore& store, const TestFile& f) {
  absl::Status status = store.UpsertFile(f.record, f.facts, f.content, f.resolved);
  ASSERT_TRUE(status.ok()) << status;
}

// Row counts of every table, through a second (read-only) connection.
std::map<std::string, int64_t> CountRows(const std::string& path) {
  std::map<std::string, int64_t> counts;
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return counts;
  for (const char* table : {"files", "names", "symbols", "refs", "imports", "chunks",
                            "chunks_fts_docsize", "history_paths", "churn", "co_change"}) {
    auto st = (*db)->Prepare(std::string("SELECT count(*) FROM ") + table);
    EXPECT_TRUE(st.ok()) << st.status();
    if (!st.ok()) continue;
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row);
    counts[table] = st->ColumnInt64(0);
  }
  return counts;
}

std::vector<std::string> HitPaths(const std::vector<SymbolHit>& hits) {
  std::vector<std::string> out;
  for (const SymbolHit& h : hits) out.push_back(h.path + ":" + h.symbol.qualified_name);
  return out;
}

class IndexStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.File("index.db");
    store_ = OpenStore(db_path_);
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  std::string db_path_;
  std::unique_ptr<IndexStore> store_;
};

TEST_F(IndexStoreTest, NewIndexHasCurrentSchemaVersion) {
  auto version = store_->GetMeta("schema_version");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->value_or(""), std::to_string(kIndexSchemaVersion));
  ASSERT_TRUE(store_->SetMeta("workspace_root", "/src/x").ok());
  store_.reset();
  auto reopened = OpenStore(db_path_);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->GetMeta("workspace_root")->value_or(""), "/src/x");
  EXPECT_FALSE(reopened->GetMeta("absent")->has_value());
  ASSERT_TRUE(reopened->IntegrityCheck().ok());
}

TEST_F(IndexStoreTest, UpsertAndQueryFile) {
  TestFile http = HttpFile();
  Upsert(*store_, http);
  auto file = store_->GetFile("src/net/http.cc");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->has_value());
  EXPECT_EQ((*file)->path, "src/net/http.cc");
  EXPECT_EQ((*file)->language, Language::kCpp);
  EXPECT_EQ((*file)->stat, http.record.stat);
  EXPECT_EQ((*file)->line_count, 8u);
  EXPECT_FALSE(store_->GetFile("nope")->has_value());

  auto outline = store_->Outline("src/net/http.cc");
  ASSERT_TRUE(outline.ok());
  ASSERT_EQ(outline->size(), 4u);
  for (size_t i = 0; i < outline->size(); ++i) {
    Symbol expected = http.facts.symbols[i];
    expected.parent = -1;
    EXPECT_EQ((*outline)[i].symbol, expected) << i;
  }
  EXPECT_TRUE(store_->Outline("nope")->empty());

  auto imports = store_->ListImports();
  ASSERT_TRUE(imports.ok());
  ASSERT_EQ(imports->size(), 2u);
  EXPECT_EQ((*imports)[0].file_path, "src/net/http.cc");
  EXPECT_EQ((*imports)[0].language, Language::kCpp);
  EXPECT_EQ((*imports)[0].import, http.facts.imports[0]);
  EXPECT_EQ((*imports)[0].resolved_path, std::optional<std::string>("src/net/util.h"));
  EXPECT_FALSE((*imports)[1].resolved_path.has_value());
  ASSERT_TRUE(store_->SetImportTarget((*imports)[1].id, "include/vector").ok());
  ASSERT_TRUE(store_->SetImportTarget((*imports)[0].id, std::nullopt).ok());
  EXPECT_EQ(store_->SetImportTarget(999999, std::nullopt).code(), absl::StatusCode::kNotFound);
  imports = store_->ListImports();
  EXPECT_FALSE((*imports)[0].resolved_path.has_value());
  EXPECT_EQ((*imports)[1].resolved_path, std::optional<std::string>("include/vector"));
}

TEST_F(IndexStoreTest, UpdateStatAndDelete) {
  Upsert(*store_, HttpFile());
  FileStat touched{99, 123, 7};
  ASSERT_TRUE(store_->UpdateFileStat("src/net/http.cc", touched).ok());
  EXPECT_EQ((*store_->GetFile("src/net/http.cc"))->stat, touched);
  EXPECT_EQ(store_->Outline("src/net/http.cc")->size(), 4u);
  EXPECT_EQ(store_->UpdateFileStat("missing.cc", touched).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteFile("missing.cc").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteFile("src/net/http.cc").ok());
  EXPECT_TRUE(store_->ListFiles()->empty());
}

TEST_F(IndexStoreTest, UpsertReplaceDeleteLeaveNoOrphans) {
  TestFile http = HttpFile();
  TestFile py = PyFile();
  ASSERT_TRUE(store_->Begin().ok());
  Upsert(*store_, http);
  Upsert(*store_, py);
  ASSERT_TRUE(store_->Commit().ok());
  auto counts = CountRows(db_path_);
  EXPECT_EQ(counts["files"], 2);
  EXPECT_EQ(counts["symbols"], 6);
  EXPECT_EQ(counts["refs"], 5);
  EXPECT_EQ(counts["imports"], 3);
  EXPECT_EQ(counts["chunks"], 5);
  EXPECT_EQ(counts["chunks_fts_docsize"], 5);
  // net Http parse_http main helper parseHttp ParseHTTPError Exception
  EXPECT_EQ(counts["names"], 8);

  // Replace http.cc with a smaller version: main only, no references.
  TestFile small = HttpFile();
  small.facts.symbols = {small.facts.symbols[3]};
  small.facts.references.clear();
  small.facts.imports.resize(1);
  small.resolved.resize(1);
  small.facts.chunks = {MakeChunk(small.content, 8, 8, "main", 0)};
  Upsert(*store_, small);  // outside Begin/Commit: its own transaction
  counts = CountRows(db_path_);
  EXPECT_EQ(counts["files"], 2);
  EXPECT_EQ(counts["symbols"], 3);
  EXPECT_EQ(counts["refs"], 2);
  EXPECT_EQ(counts["imports"], 2);
  EXPECT_EQ(counts["chunks"], 4);
  EXPECT_EQ(counts["chunks_fts_docsize"], 4);
  // main parseHttp ParseHTTPError helper Exception
  EXPECT_EQ(counts["names"], 5);
  ASSERT_TRUE(store_->IntegrityCheck().ok());

  ASSERT_TRUE(store_->DeleteFile(py.record.path).ok());
  ASSERT_TRUE(store_->DeleteFile(small.record.path).ok());
  counts = CountRows(db_path_);
  for (const auto& [table, n] : counts) EXPECT_EQ(n, 0) << table;
  ASSERT_TRUE(store_->IntegrityCheck().ok());
  EXPECT_TRUE(store_->SearchText("main", 10)->empty());
}

TEST_F(IndexStoreTest, NameMovedBetweenFilesInOneTransactionSurvives) {
  TestFile http = HttpFile();
  Upsert(*store_, http);
  TestFile other = PyFile("lib/other.py");
  ASSERT_TRUE(store_->Begin().ok());
  ASSERT_TRUE(store_->DeleteFile(http.record.path).ok());  // "helper" loses its uses here ...
  Upsert(*store_, other);                                  // ... and regains one here
  ASSERT_TRUE(store_->Commit().ok());
  EXPECT_EQ(store_->FindReferences("helper", 10)->size(), 1u);
  ASSERT_TRUE(store_->IntegrityCheck().ok());
  // Name ids handed out again after the collection still work.
  Upsert(*store_, HttpFile("again.cc"));
  EXPECT_EQ(store_->FindReferences("helper", 10)->size(), 2u);
  ASSERT_TRUE(store_->IntegrityCheck().ok());
}

TEST_F(IndexStoreTest, RollbackDiscardsAndKeepsWorking) {
  ASSERT_TRUE(store_->Begin().ok());
  EXPECT_EQ(store_->Begin().code(), absl::StatusCode::kFailedPrecondition);
  Upsert(*store_, HttpFile());
  EXPECT_EQ(store_->FindSymbols("parse_http", NameMatch::kFuzzy, 5)->size(), 1u);
  ASSERT_TRUE(store_->Rollback().ok());
  EXPECT_TRUE(store_->ListFiles()->empty());
  EXPECT_TRUE(store_->FindSymbols("parse_http", NameMatch::kFuzzy, 5)->empty());
  EXPECT_EQ(store_->Commit().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Rollback().code(), absl::StatusCode::kFailedPrecondition);
  Upsert(*store_, HttpFile());  // the name cache must not hand out rolled-back ids
  EXPECT_EQ(store_->FindSymbols("parse_http", NameMatch::kExact, 5)->size(), 1u);
  ASSERT_TRUE(store_->IntegrityCheck().ok());
}

TEST_F(IndexStoreTest, InvalidFactsAreRejectedWithoutPartialWrites) {
  TestFile bad = HttpFile();
  bad.facts.chunks.push_back({9, 9, 0, 10000, "", -1});
  absl::Status status = store_->UpsertFile(bad.record, bad.facts, bad.content, bad.resolved);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("src/net/http.cc"));
  bad = HttpFile();
  bad.facts.references[0].enclosing = 17;
  EXPECT_EQ(store_->UpsertFile(bad.record, bad.facts, bad.content, bad.resolved).code(),
            absl::StatusCode::kInvalidArgument);
  bad = HttpFile();
  bad.resolved.push_back(std::nullopt);
  EXPECT_EQ(store_->UpsertFile(bad.record, bad.facts, bad.content, bad.resolved).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->ListFiles()->empty());
  auto counts = CountRows(db_path_);
  for (const auto& [table, n] : counts) EXPECT_EQ(n, 0) << table;
}

TEST_F(IndexStoreTest, FindSymbolsExactAndQualified) {
  Upsert(*store_, HttpFile("b/http.cc"));
  Upsert(*store_, HttpFile("a/http.cc"));
  Upsert(*store_, PyFile());
  auto hits = store_->FindSymbols("parse_http", NameMatch::kExact, 10);
  ASSERT_TRUE(hits.ok());
  EXPECT_THAT(HitPaths(*hits),
              ElementsAre("a/http.cc:net::Http::parse_http", "b/http.cc:net::Http::parse_http"));
  EXPECT_EQ((*hits)[0].symbol.doc, "Parses a request.");
  EXPECT_GT((*hits)[0].symbol_id, 0);
  EXPECT_EQ(store_->FindSymbols("parse_http", NameMatch::kExact, 1)->size(), 1u);
  EXPECT_TRUE(store_->FindSymbols("Parse_http", NameMatch::kExact, 10)->empty());
  EXPECT_TRUE(store_->FindSymbols("helper", NameMatch::kExact, 10)->empty());  // only referenced

  EXPECT_THAT(HitPaths(*store_->FindSymbols("net::Http::parse_http", NameMatch::kExact, 10)),
              ElementsAre("a/http.cc:net::Http::parse_http", "b/http.cc:net::Http::parse_http"));
  EXPECT_EQ(store_->FindSymbols("Http::parse_http", NameMatch::kExact, 10)->size(), 2u);
  EXPECT_EQ(store_->FindSymbols("net.Http.parse_http", NameMatch::kExact, 10)->size(), 2u);
  EXPECT_TRUE(store_->FindSymbols("ttp::parse_http", NameMatch::kExact, 10)->empty());
  EXPECT_TRUE(store_->FindSymbols("other::parse_http", NameMatch::kExact, 10)->empty());
  EXPECT_THAT(HitPaths(*store_->FindSymbols("run.parseHttp", NameMatch::kExact, 10)),
              ElementsAre("tools/run.py:run.parseHttp"));
  EXPECT_TRUE(store_->FindSymbols("", NameMatch::kExact, 10)->empty());
  EXPECT_TRUE(store_->FindSymbols("::", NameMatch::kExact, 10)->empty());
  EXPECT_TRUE(store_->FindSymbols("a.", NameMatch::kExact, 10)->empty());
}

TEST_F(IndexStoreTest, FindSymbolsPrefixIsCaseInsensitiveShortestFirst) {
  Upsert(*store_, HttpFile());
  Upsert(*store_, PyFile());
  auto hits = store_->FindSymbols("parse", NameMatch::kPrefix, 10);
  ASSERT_TRUE(hits.ok());
  std::vector<std::string> names;
  for (const SymbolHit& h : *hits) names.push_back(h.symbol.name);
  // Same-case prefixes first (shorter first), then the case-insensitive match.
  EXPECT_THAT(names, ElementsAre("parseHttp", "parse_http", "ParseHTTPError"));
  EXPECT_GT((*hits)[0].score, (*hits)[2].score);
  names.clear();
  hits = store_->FindSymbols("PARSEH", NameMatch::kPrefix, 10);
  ASSERT_TRUE(hits.ok());
  for (const SymbolHit& h : *hits) names.push_back(h.symbol.name);
  EXPECT_THAT(names, ElementsAre("parseHttp", "ParseHTTPError"));
  EXPECT_EQ(store_->FindSymbols("parse", NameMatch::kPrefix, 2)->size(), 2u);
  EXPECT_TRUE(store_->FindSymbols("help", NameMatch::kPrefix, 10)->empty());  // refs only
  EXPECT_TRUE(store_->FindSymbols("zzz", NameMatch::kPrefix, 10)->empty());
}

TEST_F(IndexStoreTest, FindSymbolsFuzzyRanksAndFollowsWrites) {
  Upsert(*store_, HttpFile());
  Upsert(*store_, PyFile());
  auto hits = store_->FindSymbols("ph", NameMatch::kFuzzy, 10);
  ASSERT_TRUE(hits.ok());
  ASSERT_GE(hits->size(), 2u);
  EXPECT_TRUE((*hits)[0].symbol.name == "parseHttp" || (*hits)[0].symbol.name == "parse_http");
  for (size_t i = 1; i < hits->size(); ++i) EXPECT_GE((*hits)[i - 1].score, (*hits)[i].score);
  EXPECT_TRUE(store_->FindSymbols("qqq", NameMatch::kFuzzy, 10)->empty());

  // A reader connection sees the writer's commits (the cache is keyed by a generation in meta).
  auto reader = IndexStore::OpenReadOnly(db_path_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE((*reader)->FindSymbols("freshname", NameMatch::kFuzzy, 10)->empty());
  TestFile fresh = PyFile("fresh.py");
  fresh.facts.symbols[0].name = "freshName";
  fresh.facts.symbols[0].qualified_name = "fresh.freshName";
  Upsert(*store_, fresh);
  EXPECT_EQ((*reader)->FindSymbols("freshname", NameMatch::kFuzzy, 10)->size(), 1u);
  EXPECT_EQ(store_->FindSymbols("frnm", NameMatch::kFuzzy, 10)->size(), 1u);
  ASSERT_TRUE(store_->DeleteFile("fresh.py").ok());
  EXPECT_TRUE((*reader)->FindSymbols("freshname", NameMatch::kFuzzy, 10)->empty());
  EXPECT_TRUE(store_->FindSymbols("freshname", NameMatch::kFuzzy, 10)->empty());
}

TEST_F(IndexStoreTest, FindReferencesWithEnclosingAndLine) {
  Upsert(*store_, HttpFile("b.cc"));
  Upsert(*store_, PyFile());
  Upsert(*store_, HttpFile("a.cc"));
  auto refs = store_->FindReferences("helper", 10);
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 3u);
  EXPECT_EQ((*refs)[0].path, "a.cc");
  EXPECT_EQ((*refs)[1].path, "b.cc");
  EXPECT_EQ((*refs)[2].path, "tools/run.py");
  EXPECT_EQ((*refs)[0].enclosing_qualified, "net::Http::parse_http");
  EXPECT_EQ((*refs)[0].line_text, "return helper(x);");
  EXPECT_EQ((*refs)[0].reference.range, RangeOf(kHttpSource, "helper"));
  EXPECT_EQ((*refs)[0].reference.kind, ReferenceKind::kCall);
  EXPECT_EQ((*refs)[0].reference.name, "helper");
  EXPECT_EQ((*refs)[2].enclosing_qualified, "run.parseHttp");
  EXPECT_EQ((*refs)[2].line_text, "return helper(req)");

  auto types = store_->FindReferences("Http", 10);
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[0].reference.kind, ReferenceKind::kType);
  EXPECT_EQ((*types)[0].enclosing_qualified, "main");
  EXPECT_EQ((*types)[0].line_text, "int main() { return net::Http().parse_http(1); }");
  EXPECT_EQ(store_->FindReferences("net::Http::parse_http", 10)->size(), 2u);
  EXPECT_EQ(store_->FindReferences("helper", 1)->size(), 1u);
  EXPECT_TRUE(store_->FindReferences("nothing", 10)->empty());
}

TEST_F(IndexStoreTest, SearchTextFindsIdentifierSpellings) {
  TestFile f;
  f.content =
      "int parse_http(struct request *req)\n"
      "{\n"
      "  return 0;\n"
      "}\n"
      "void unrelated(void) { count++; }\n";
  f.facts.chunks = {MakeChunk(f.content, 1, 4), MakeChunk(f.content, 5, 5)};
  f.record = Record("net/http.c", Language::kC, f.content);
  Upsert(*store_, f);
  Upsert(*store_, PyFile());
  for (const char* query : {"parse http", "parseHttp", "http", "ParseHTTP", "parse_http",
                            "PARSE_HTTP", "parse_ht*", "parsehttp*"}) {
    auto hits = store_->SearchText(query, 10);
    ASSERT_TRUE(hits.ok()) << query << ": " << hits.status();
    std::set<std::string> paths;
    for (const TextHit& h : *hits) paths.insert(h.path + ":" + std::to_string(h.chunk.start_line));
    EXPECT_TRUE(paths.count("net/http.c:1")) << query;
    EXPECT_FALSE(paths.count("net/http.c:5")) << query;
  }
  auto hits = store_->SearchText("parse_http request", 10);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  const TextHit& hit = (*hits)[0];
  EXPECT_EQ(hit.chunk.end_line, 4u);
  EXPECT_EQ(hit.chunk.start_byte, 0u);
  EXPECT_GT(hit.score, 0);
  EXPECT_THAT(hit.snippet, HasSubstr("[parse_http]"));
  EXPECT_THAT(hit.snippet, HasSubstr("[request]"));
  // An exact part matches inside camelCase and snake_case alike, and ties break by path.
  auto helper = store_->SearchText("helper", 10);
  ASSERT_EQ(helper->size(), 1u);
  EXPECT_EQ((*helper)[0].path, "tools/run.py");
  EXPECT_EQ((*helper)[0].chunk.scope_path, "run.parseHttp");
}

TEST_F(IndexStoreTest, SearchTextTiesBreakByPathThenLine) {
  for (const char* path : {"c.txt", "a.txt", "b.txt"}) {
    TestFile f;
    f.content = "same words here\nsame words here\n";
    f.facts.chunks = {MakeChunk(f.content, 1, 1), MakeChunk(f.content, 2, 2)};
    f.record = Record(path, Language::kUnknown, f.content);
    Upsert(*store_, f);
  }
  for (int limit : {1, 2, 3, 6, 10}) {
    auto hits = store_->SearchText("words", limit);
    ASSERT_TRUE(hits.ok());
    std::vector<std::string> got;
    for (const TextHit& h : *hits) got.push_back(h.path + ":" + std::to_string(h.chunk.start_line));
    std::vector<std::string> want = {"a.txt:1", "a.txt:2", "b.txt:1",
                                     "b.txt:2", "c.txt:1", "c.txt:2"};
    want.resize(std::min<size_t>(want.size(), static_cast<size_t>(limit)));
    EXPECT_EQ(got, want) << limit;
  }
}

TEST_F(IndexStoreTest, SearchTextQuerySyntaxCannotInject) {
  Upsert(*store_, HttpFile());
  for (const char* query : {"\"",
                            "\"\"",
                            "(",
                            ")",
                            "(parse",
                            "parse)",
                            "a:b",
                            "text:parse",
                            "*",
                            "**",
                            "*parse",
                            "pa*rse",
                            "-parse",
                            "parse -http",
                            "AND",
                            "OR",
                            "NOT",
                            "parse AND",
                            "OR http",
                            "NOT NOT",
                            "NEAR(parse http)",
                            "NEAR(",
                            "^parse",
                            "{text}: parse",
                            "+",
                            "parse + http",
                            "'",
                            "\\",
                            "\"parse",
                            "parse\"http",
                            "col:umn:s",
                            "a OR b AND NOT c",
                            "\x01\x02",
                            "\xff\xfe",
                            "   ",
                            ""}) {
    auto hits = store_->SearchText(query, 10);
    EXPECT_TRUE(hits.ok()) << "query [" << query << "]: " << hits.status();
  }
  EXPECT_EQ(store_->SearchText("(parse)", 10)->size(), store_->SearchText("parse", 10)->size());
  EXPECT_EQ(store_->SearchText("(parse)", 10)->size(), 2u);
  EXPECT_EQ(store_->SearchText("parse AND", 10)->size(), 0u);  // "and" is a word to find
}

TEST_F(IndexStoreTest, CanonicalDumpIgnoresInsertionOrder) {
  SyntheticCorpus corpus(11, 500);
  std::vector<TestFile> files;
  for (int i = 0; i < 6; ++i)
    files.push_back(corpus.MakeFile("dir/f" + std::to_string(i) + ".c", 4000));
  files.push_back(HttpFile());
  files.push_back(PyFile());
  History history;
  history.head_commit = std::string(40, 'b');
  history.commits_walked = 3;
  history.files = {{"dir/f0.c", 2, 10, 3, 1700, std::string(40, 'c')},
                   {"gone.c", 1, 0, 9, 1600, std::string(40, 'd')}};
  history.pairs = {{"dir/f0.c", "gone.c", 1}};

  // Store 1: in order, history first.
  ASSERT_TRUE(store_->ReplaceHistory(history).ok());
  ASSERT_TRUE(store_->Begin().ok());
  for (const TestFile& f : files) Upsert(*store_, f);
  ASSERT_TRUE(store_->Commit().ok());

  // Store 2: reversed, with a different version of some files first (replaced later), a file
  // that is deleted again, and the history last.
  auto other = OpenStore(dir_.File("other.db"));
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->Begin().ok());
  Upsert(*other, PyFile("temporary.py"));
  TestFile early = corpus.MakeFile("dir/f2.c", 9000);  // replaced below by files[2]
  Upsert(*other, early);
  ASSERT_TRUE(other->Commit().ok());
  for (auto it = files.rbegin(); it != files.rend(); ++it) Upsert(*other, *it);
  ASSERT_TRUE(other->DeleteFile("temporary.py").ok());
  ASSERT_TRUE(other->ReplaceHistory(history).ok());

  auto a = store_->CanonicalDump();
  auto b = other->CanonicalDump();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_THAT(*a, HasSubstr("file \"src/net/http.cc\""));
  EXPECT_THAT(*a, HasSubstr("cochange \"dir/f0.c\" \"gone.c\" 1"));
  ASSERT_TRUE(store_->IntegrityCheck().ok());
  ASSERT_TRUE(other->IntegrityCheck().ok());
  EXPECT_EQ(CountRows(db_path_), CountRows(dir_.File("other.db")));

  // A change shows.
  ASSERT_TRUE(other->SetImportTarget(other->ListImports()->front().id, "x.h").ok());
  EXPECT_NE(*store_->CanonicalDump(), *other->CanonicalDump());
}

TEST_F(IndexStoreTest, HistoryChurnAndCoChange) {
  History history;
  history.head_commit = std::string(40, 'e');
  history.commits_walked = 10;
  history.files = {{"a.c", 5, 100, 20, 1000, std::string(40, '1')},
                   {"b.c", 7, 10, 2, 2000, std::string(40, '2')},
                   {"lib/c.c", 5, 200, 50, 3000, std::string(40, '3')}};
  history.pairs = {{"a.c", "b.c", 3}, {"a.c", "lib/c.c", 1}, {"b.c", "lib/c.c", 4}};
  ASSERT_TRUE(store_->ReplaceHistory(history).ok());
  auto churn = store_->Churn("", 10);
  ASSERT_TRUE(churn.ok());
  ASSERT_EQ(churn->size(), 3u);
  EXPECT_EQ((*churn)[0], history.files[1]);
  EXPECT_EQ((*churn)[1], history.files[2]);  // same commits as a.c, more lines
  EXPECT_EQ((*churn)[2], history.files[0]);
  EXPECT_EQ(store_->Churn("lib/", 10)->size(), 1u);
  EXPECT_EQ(store_->Churn("", 1)->size(), 1u);
  auto co = store_->CoChanged("b.c", 10);
  ASSERT_TRUE(co.ok());
  ASSERT_EQ(co->size(), 2u);
  EXPECT_EQ((*co)[0], history.pairs[2]);
  EXPECT_EQ((*co)[1], history.pairs[0]);
  EXPECT_TRUE(store_->CoChanged("nope.c", 10)->empty());
  EXPECT_EQ(store_->GetMeta("history_head")->value_or(""), history.head_commit);

  // Replacing drops what the new history does not have.
  History smaller;
  smaller.files = {history.files[0]};
  ASSERT_TRUE(store_->ReplaceHistory(smaller).ok());
  auto counts = CountRows(db_path_);
  EXPECT_EQ(counts["churn"], 1);
  EXPECT_EQ(counts["co_change"], 0);
  EXPECT_EQ(counts["history_paths"], 1);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->history_files, 1u);
}

TEST_F(IndexStoreTest, Stats) {
  Upsert(*store_, HttpFile());
  Upsert(*store_, PyFile());
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->files, 2u);
  EXPECT_EQ(stats->symbols, 6u);
  EXPECT_EQ(stats->references, 5u);
  EXPECT_EQ(stats->imports, 3u);
  EXPECT_EQ(stats->imports_resolved, 1u);
  EXPECT_EQ(stats->chunks, 5u);
  EXPECT_EQ(stats->source_bytes, kHttpSource.size() + PyFile().content.size());
  EXPECT_GT(stats->database_bytes, 0u);
  EXPECT_THAT(stats->files_by_language, ElementsAre(std::make_pair(Language::kCpp, 1u),
                                                    std::make_pair(Language::kPython, 1u)));
}

TEST_F(IndexStoreTest, IntegrityCheckFindsOrphansAndFtsDrift) {
  Upsert(*store_, HttpFile());
  ASSERT_TRUE(store_->IntegrityCheck().ok());
  {
    auto raw = SqliteDb::Open(db_path_, SqliteDb::Mode::kReadWrite);
    ASSERT_TRUE(raw.ok()) << raw.status();
    ASSERT_TRUE((*raw)
                    ->Exec("INSERT INTO refs(id, name_id, kind, line, col, line_span, end_col, "
                           "start_byte, byte_len) VALUES (999 << 24, 1, 0, 1, 0, 0, 1, 0, 1)")
                    .ok());
  }
  absl::Status status = store_->IntegrityCheck();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(status.message()), HasSubstr(db_path_));
  EXPECT_THAT(std::string(status.message()), HasSubstr("references without a file"));
  {
    auto raw = SqliteDb::Open(db_path_, SqliteDb::Mode::kReadWrite);
    ASSERT_TRUE((*raw)->Exec("DELETE FROM refs WHERE id >> 24 = 999").ok());
    // Change chunk text behind the full-text index's back.
    ASSERT_TRUE((*raw)->Exec("UPDATE chunks SET text = 'something else entirely'").ok());
  }
  status = store_->IntegrityCheck();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(status.message()), HasSubstr("full-text"));
}

}  // namespace
}  // namespace engram::repo_index
