// engram.v1.Workspace end to end: the real engramd indexes a real git repository made by the test,
// streams progress and a summary, answers every kind of search, follows file edits and branch switches
// through its watcher, retrieves context for a request (the project memory), and refuses bad requests.
// The CLI's index/search/outline/refs/context commands too.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "engram/v1/daemon.grpc.pb.h"
#include "engram/v1/workspace.grpc.pb.h"
#include "tests/e2e/daemon_process.h"
#include "tests/unit/repo_index/test_repo.h"

namespace engram {
namespace {

using namespace std::chrono_literals;
using repo_index::testing::TestRepo;
using testing::Process;
using testing::RunCommand;
using testing::ScratchEnv;

class WorkspaceE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write("src/net/http.h", "/* Parses one request. */\nint parse_http_request(const char* text);\n");
    repo_.Write("src/net/http.c",
                "#include \"http.h\"\n\nint parse_http_request(const char* text) {\n  return text[0];\n}\n");
    repo_.Write("src/main.c", "#include \"net/http.h\"\n\nint main(void) {\n  return parse_http_request(\"GET\");\n}\n");
    repo_.Write("tools/report.py", "class Report:\n    def render(self):\n        return 'ok'\n");
    repo_.Git("add -A");
    repo_.Git("commit -q -m init");
    daemon_ = std::make_unique<Process>(std::vector<std::string>{ENGRAMD_BIN, "--foreground"}, env_.vars());
    ASSERT_FALSE(testing::WaitForEngramdReady(*daemon_).empty()) << daemon_->output();
    channel_ = grpc::CreateChannel("unix:" + env_.socket_path(), grpc::InsecureChannelCredentials());
    stub_ = v1::Workspace::NewStub(channel_);
  }

  std::unique_ptr<grpc::ClientContext> Ctx(std::chrono::seconds timeout = 30s) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + timeout);
    return ctx;
  }

  grpc::Status Open(const std::string& path, std::vector<v1::IndexProgress>* progress, v1::IndexSummary* summary) {
    v1::OpenWorkspaceRequest request;
    request.set_path(path);
    auto ctx = Ctx(120s);
    auto reader = stub_->Open(ctx.get(), request);
    v1::OpenWorkspaceEvent event;
    while (reader->Read(&event)) {
      if (event.has_progress() && progress != nullptr) progress->push_back(event.progress());
      if (event.has_summary()) *summary = event.summary();
    }
    return reader->Finish();
  }

  grpc::Status Search(v1::SearchRequest::Kind kind, const std::string& query, v1::SearchResponse* response,
                      v1::SearchRequest::Match match = v1::SearchRequest::EXACT) {
    v1::SearchRequest request;
    request.set_kind(kind);
    request.set_query(query);
    request.set_match(match);
    return stub_->Search(Ctx().get(), request, response);
  }

  // Polls a symbol search until it returns `count` results (the watcher's debounce plus the update).
  bool WaitForSymbolCount(const std::string& name, int count) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      v1::SearchResponse response;
      if (Search(v1::SearchRequest::SYMBOL, name, &response).ok() && response.symbols_size() == count) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }


  TestRepo repo_{true};
  ScratchEnv env_;
  std::unique_ptr<Process> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Workspace::Stub> stub_;
};

TEST_F(WorkspaceE2E, OpenStreamsProgressThenASummaryAndEverySearchKindAnswers) {
  std::vector<v1::IndexProgress> progress;
  v1::IndexSummary summary;
  grpc::Status st = Open(repo_.root(), &progress, &summary);
  ASSERT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->output();
  EXPECT_EQ(summary.files(), 4);
  EXPECT_EQ(summary.files_parsed(), 4);
  EXPECT_EQ(summary.files_by_language().at("c"), 3);
  EXPECT_EQ(summary.files_by_language().at("python"), 1);
  EXPECT_EQ(summary.imports_resolved(), 2);
  EXPECT_GE(summary.history_commits(), 1);
  EXPECT_TRUE(std::filesystem::exists(summary.database())) << summary.database();
  EXPECT_EQ(summary.database().rfind(env_.root(), 0), 0u) << "the database lives under XDG_DATA_HOME";
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.front().phase(), "scan");

  v1::SearchResponse defs;
  ASSERT_TRUE(Search(v1::SearchRequest::DEFINITION, "parse_http_request", &defs).ok());
  ASSERT_GE(defs.symbols_size(), 1);
  bool in_c = false;
  for (const auto& s : defs.symbols()) in_c |= s.location().path() == "src/net/http.c";
  EXPECT_TRUE(in_c);

  v1::SearchResponse prefix;
  ASSERT_TRUE(Search(v1::SearchRequest::SYMBOL, "parse_ht", &prefix, v1::SearchRequest::PREFIX).ok());
  EXPECT_GE(prefix.symbols_size(), 1);
  v1::SearchResponse fuzzy;
  ASSERT_TRUE(Search(v1::SearchRequest::SYMBOL, "phr", &fuzzy, v1::SearchRequest::FUZZY).ok());
  ASSERT_GE(fuzzy.symbols_size(), 1);
  EXPECT_EQ(fuzzy.symbols(0).name(), "parse_http_request");

  v1::SearchResponse refs;
  ASSERT_TRUE(Search(v1::SearchRequest::REFERENCES, "parse_http_request", &refs).ok());
  ASSERT_EQ(refs.references_size(), 1);
  EXPECT_EQ(refs.references(0).location().path(), "src/main.c");
  EXPECT_EQ(refs.references(0).enclosing(), "main");

  v1::SearchResponse text;
  ASSERT_TRUE(Search(v1::SearchRequest::TEXT, "parseHttp", &text).ok());
  EXPECT_GE(text.texts_size(), 2);

  v1::SearchResponse outline;
  ASSERT_TRUE(Search(v1::SearchRequest::OUTLINE, "tools/report.py", &outline).ok());
  ASSERT_EQ(outline.symbols_size(), 2);
  EXPECT_EQ(outline.symbols(0).qualified_name(), "Report");
  EXPECT_EQ(outline.symbols(1).qualified_name(), "Report.render");

  v1::WorkspaceStatusResponse status;
  ASSERT_TRUE(stub_->Status(Ctx().get(), v1::WorkspaceStatusRequest(), &status).ok());
  ASSERT_EQ(status.workspaces_size(), 1);
  EXPECT_EQ(status.workspaces(0).state(), "ready");
  EXPECT_EQ(status.workspaces(0).last_full().files(), 4);

  auto daemon_stub = v1::Daemon::NewStub(channel_);
  v1::StatusResponse daemon_status;
  ASSERT_TRUE(daemon_stub->Status(Ctx().get(), v1::StatusRequest(), &daemon_status).ok());
  ASSERT_EQ(daemon_status.workspaces_size(), 1);
  EXPECT_EQ(daemon_status.workspaces(0).id(), summary.workspace_id());
}

TEST_F(WorkspaceE2E, TheWatcherFollowsEditsDeletesAndBranchSwitches) {
  v1::IndexSummary summary;
  ASSERT_TRUE(Open(repo_.root(), nullptr, &summary).ok());
  // Wait for the watcher to be armed (Status says so).
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    v1::WorkspaceStatusResponse status;
    if (stub_->Status(Ctx().get(), v1::WorkspaceStatusRequest(), &status).ok() && status.workspaces_size() == 1 &&
        status.workspaces(0).watching()) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  }

  repo_.Write("src/net/extra.c", "int brand_new_function(void) { return 1; }\n");
  EXPECT_TRUE(WaitForSymbolCount("brand_new_function", 1)) << "a new file is indexed";
  repo_.Write("src/net/extra.c", "int renamed_function(void) { return 2; }\n");
  EXPECT_TRUE(WaitForSymbolCount("renamed_function", 1)) << "an edit is indexed";
  EXPECT_TRUE(WaitForSymbolCount("brand_new_function", 0)) << "the old definition is gone";
  repo_.Rename("src/net/extra.c", "lib/moved.c");
  auto deadline_moved = std::chrono::steady_clock::now() + 20s;
  std::string where;
  while (std::chrono::steady_clock::now() < deadline_moved) {
    v1::SearchResponse moved;
    ASSERT_TRUE(Search(v1::SearchRequest::SYMBOL, "renamed_function", &moved).ok());
    where.clear();
    for (const auto& s : moved.symbols()) where += s.location().path() + " ";
    if (where == "lib/moved.c ") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(where, "lib/moved.c ") << "a rename moves the definition";
  repo_.Remove("lib/moved.c");
  EXPECT_TRUE(WaitForSymbolCount("renamed_function", 0)) << "a deleted file leaves the index";

  // A branch with another file; switching to it and back.
  repo_.Git("checkout -q -b feature");
  repo_.Write("src/feature.c", "int feature_only(void) { return 3; }\n");
  repo_.Git("add -A");
  repo_.Git("commit -q -m feature");
  EXPECT_TRUE(WaitForSymbolCount("feature_only", 1));
  repo_.Git("checkout -q main");
  EXPECT_TRUE(WaitForSymbolCount("feature_only", 0)) << "switching branches drops the feature file";
  repo_.Git("checkout -q feature");
  EXPECT_TRUE(WaitForSymbolCount("feature_only", 1)) << "and switching back brings it back";
}

TEST_F(WorkspaceE2E, BadRequestsGetClearErrors) {
  v1::IndexSummary summary;
  grpc::Status st = Open("relative/path", nullptr, &summary);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  st = Open(repo_.root() + "/does-not-exist", nullptr, &summary);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(st.error_message().find("does-not-exist"), std::string::npos);
  st = Open(repo_.Path("src/main.c"), nullptr, &summary);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::SearchResponse response;
  st = Search(v1::SearchRequest::SYMBOL, "x", &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "no workspace is open yet";
  ASSERT_TRUE(Open(repo_.root(), nullptr, &summary).ok());
  st = Search(v1::SearchRequest::SYMBOL, "", &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::SearchRequest request;
  request.set_query("x");
  request.set_limit(5000);
  st = stub_->Search(Ctx().get(), request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.set_limit(0);
  request.set_workspace("/no/such/workspace");
  st = stub_->Search(Ctx().get(), request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  // FTS syntax in a text query is data, not syntax.
  ASSERT_TRUE(Search(v1::SearchRequest::TEXT, "\"unbalanced ( AND OR * :", &response).ok());

  v1::RetrieveResponse retrieved;
  v1::RetrieveRequest retrieve;
  st = stub_->Retrieve(Ctx().get(), retrieve, &retrieved);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "an empty request";
  retrieve.set_text("x");
  retrieve.set_current_file("../outside.c");
  st = stub_->Retrieve(Ctx().get(), retrieve, &retrieved);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("../outside.c"), std::string::npos) << st.error_message();
  retrieve.set_current_file("");
  retrieve.set_cursor_line(3);
  st = stub_->Retrieve(Ctx().get(), retrieve, &retrieved);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "a cursor without a file";
  retrieve.set_cursor_line(0);
  retrieve.set_budget(-1);
  st = stub_->Retrieve(Ctx().get(), retrieve, &retrieved);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  retrieve.set_budget(0);
  retrieve.set_text(std::string(70000, 'a'));
  st = stub_->Retrieve(Ctx().get(), retrieve, &retrieved);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(WorkspaceE2E, RetrieveExplainsItsItemsAndKeepsTheBudget) {
  v1::IndexSummary summary;
  ASSERT_TRUE(Open(repo_.root(), nullptr, &summary).ok());
  v1::RetrieveRequest request;
  request.set_text("  return parse_http_request(\"GET\");");
  request.set_current_file("src/main.c");
  request.set_cursor_line(4);
  request.set_budget(400);
  v1::RetrieveResponse response;
  grpc::Status st = stub_->Retrieve(Ctx().get(), request, &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(response.budget(), 400);
  EXPECT_EQ(response.tokenizer(), "lexical-1");
  int sum = 0;
  bool definition = false;
  for (const v1::ContextItem& item : response.items()) {
    sum += item.tokens();
    EXPECT_GT(item.reasons_size(), 0);
    EXPECT_NE(item.location().path(), "src/main.c") << "the caller's own lines are not returned";
    if (item.location().path() == "src/net/http.c") {
      definition = true;
      EXPECT_NE(item.text().find("int parse_http_request(const char* text) {"), std::string::npos);
    }
  }
  EXPECT_TRUE(definition);
  EXPECT_EQ(sum, response.tokens_used());
  EXPECT_LE(sum, 400);
  ASSERT_GE(response.files_size(), 1);
  EXPECT_EQ(response.files(0).path(), "src/net/http.c");
  EXPECT_EQ(response.signals_size(), 6);
}

TEST_F(WorkspaceE2E, CliIndexSearchOutlineRefs) {
  auto env = env_.vars();
  auto index = RunCommand({ENGRAM_BIN, "index", repo_.root(), "--no-watch"}, env, 120s);
  ASSERT_EQ(index.exit_code, 0) << index.output;
  EXPECT_NE(index.output.find("indexed " + std::filesystem::canonical(repo_.root()).string()), std::string::npos)
      << index.output;
  EXPECT_NE(index.output.find("4 in the index"), std::string::npos) << index.output;

  auto search = RunCommand({ENGRAM_BIN, "search", "parse_http", "-w", repo_.root()}, env);
  ASSERT_EQ(search.exit_code, 0) << search.output;
  EXPECT_NE(search.output.find("src/net/http.c:3:1"), std::string::npos) << search.output;

  auto text = RunCommand({ENGRAM_BIN, "search", "--text", "request", "-w", repo_.root()}, env);
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("src/net/http.h"), std::string::npos) << text.output;

  auto outline = RunCommand({ENGRAM_BIN, "outline", repo_.Path("tools/report.py")}, env);
  ASSERT_EQ(outline.exit_code, 0) << outline.output;
  EXPECT_NE(outline.output.find("Report.render"), std::string::npos) << outline.output;

  auto refs = RunCommand({ENGRAM_BIN, "refs", "parse_http_request", "--json"}, env);
  ASSERT_EQ(refs.exit_code, 0) << refs.output;
  EXPECT_NE(refs.output.find("\"enclosing\": \"main\""), std::string::npos) << refs.output;

  // engram context: the definition of the function called at the cursor, explained.
  auto context = RunCommand({ENGRAM_BIN, "context", "--file", repo_.Path("src/main.c"), "--line", "4", "--brief",
                             "why does main return the wrong value?"},
                            env);
  ASSERT_EQ(context.exit_code, 0) << context.output;
  EXPECT_NE(context.output.find("src/net/http.c:1-5"), std::string::npos) << context.output;
  EXPECT_NE(context.output.find("defines parse_http_request"), std::string::npos) << context.output;
  auto context_json = RunCommand({ENGRAM_BIN, "context", "--json", "--budget", "500", "parse_http_request"}, env);
  ASSERT_EQ(context_json.exit_code, 0) << context_json.output;
  EXPECT_NE(context_json.output.find("\"tokens_used\""), std::string::npos) << context_json.output;

  auto missing = RunCommand({ENGRAM_BIN, "index", repo_.Path("nope")}, env);
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("nope"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace engram
