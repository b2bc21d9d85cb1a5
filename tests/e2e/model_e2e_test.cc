// engram.v1.Model end to end: the real engramd loads tests/golden/deepseek2/tiny-f32.gguf and
// streams completions over its unix socket; bad files and requests get clear errors while the
// daemon keeps serving.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engram/v1/daemon.grpc.pb.h"
#include "engram/v1/model.grpc.pb.h"
#include "tests/e2e/daemon_process.h"

namespace engram {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::RunCommand;
using testing::ScratchEnv;

const std::string kModel = std::string(ENGRAM_GOLDEN_DIR) + "/deepseek2/tiny-f32.gguf";

class ModelE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Process>(std::vector<std::string>{ENGRAMD_BIN, "--foreground"}, env_.vars());
    ASSERT_FALSE(testing::WaitForEngramdReady(*daemon_).empty()) << daemon_->output();
    channel_ = grpc::CreateChannel("unix:" + env_.socket_path(), grpc::InsecureChannelCredentials());
    stub_ = v1::Model::NewStub(channel_);
  }
  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + 30s);
    return ctx;
  }
  grpc::Status Load(const std::string& path, v1::LoadModelResponse* resp) {
    v1::LoadModelRequest req;
    req.set_path(path);
    return stub_->Load(Ctx().get(), req, resp);
  }
  // Reads a whole stream: token events, the summary, the final status.
  grpc::Status ReadAll(grpc::ClientReader<v1::CompletionEvent>* reader, std::vector<v1::TokenChunk>* tokens,
                       v1::CompletionSummary* summary) {
    v1::CompletionEvent e;
    while (reader->Read(&e)) {
      if (e.has_token()) tokens->push_back(e.token());
      if (e.has_summary()) *summary = e.summary();
    }
    return reader->Finish();
  }

  ScratchEnv env_;
  std::unique_ptr<Process> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Model::Stub> stub_;
};

TEST_F(ModelE2E, LoadThenCompleteStreamsTokensAndASummary) {
  v1::LoadModelResponse loaded;
  grpc::Status st = Load(kModel, &loaded);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(loaded.model().architecture(), "deepseek2");
  EXPECT_EQ(loaded.model().parameters(), 865552);
  EXPECT_EQ(loaded.model().bytes_by_type().at("f32"), 865552 * 4);
  EXPECT_GT(loaded.model().rss_bytes(), 0);
  EXPECT_EQ(loaded.model().kv_type(), "f32");
  EXPECT_EQ(loaded.model().kv_bytes_per_token(), 3 * (64 + 16) * 4);  // layers * (kv_lora + rope) * f32

  v1::CompleteRequest req;
  req.set_prompt("the quick brown fox");
  req.set_max_tokens(10);
  auto ctx = Ctx();
  std::vector<v1::TokenChunk> tokens;
  v1::CompletionSummary summary;
  st = ReadAll(stub_->Complete(ctx.get(), req).get(), &tokens, &summary);
  ASSERT_TRUE(st.ok()) << st.error_message();
  int real_tokens = 0;
  for (const auto& t : tokens) real_tokens += t.token() >= 0;
  EXPECT_EQ(real_tokens, summary.completion_tokens());
  EXPECT_GT(summary.completion_tokens(), 0);
  EXPECT_GT(summary.prompt_tokens(), 1);
  if (summary.finish_reason() == "length") {
    EXPECT_EQ(summary.completion_tokens(), 10);
  }

  // Greedy decoding is deterministic: the same request gives the same tokens.
  auto ctx2 = Ctx();
  std::vector<v1::TokenChunk> again;
  v1::CompletionSummary summary2;
  ASSERT_TRUE(ReadAll(stub_->Complete(ctx2.get(), req).get(), &again, &summary2).ok());
  ASSERT_EQ(again.size(), tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) EXPECT_EQ(again[i].token(), tokens[i].token());

  // The daemon's status names the loaded model.
  auto dstub = v1::Daemon::NewStub(channel_);
  v1::StatusResponse status;
  ASSERT_TRUE(dstub->Status(Ctx().get(), v1::StatusRequest(), &status).ok());
  EXPECT_EQ(status.model().path(), kModel);
}

TEST_F(ModelE2E, FillInTheMiddleAndChatStream) {
  v1::LoadModelResponse loaded;
  ASSERT_TRUE(Load(kModel, &loaded).ok());
  v1::CompleteRequest fim;
  fim.set_prompt("def add(a, b):\n    ");
  fim.set_suffix("\n");
  fim.set_max_tokens(5);
  auto ctx = Ctx();
  std::vector<v1::TokenChunk> tokens;
  v1::CompletionSummary summary;
  ASSERT_TRUE(ReadAll(stub_->Complete(ctx.get(), fim).get(), &tokens, &summary).ok());
  EXPECT_GT(summary.completion_tokens(), 0);

  v1::ChatRequest chat;
  auto* m = chat.add_messages();
  m->set_role("user");
  m->set_content("hello");
  chat.set_max_tokens(5);
  auto ctx2 = Ctx();
  tokens.clear();
  ASSERT_TRUE(ReadAll(stub_->Chat(ctx2.get(), chat).get(), &tokens, &summary).ok());
  EXPECT_GT(summary.completion_tokens(), 0);

  m->set_role("wizard");
  auto ctx3 = Ctx();
  grpc::Status bad = ReadAll(stub_->Chat(ctx3.get(), chat).get(), &tokens, &summary);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("messages[0].role"), std::string::npos) << bad.error_message();
}

TEST_F(ModelE2E, CorruptModelFilesAreRefusedAndThePreviousModelStays) {
  v1::LoadModelResponse loaded;
  ASSERT_TRUE(Load(kModel, &loaded).ok());
  std::string bytes;
  {
    std::ifstream in(kModel, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string truncated = env_.root() + "/truncated.gguf";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const std::string bad_magic = env_.root() + "/bad-magic.gguf";
  std::ofstream(bad_magic, std::ios::binary) << "GGUX" << bytes.substr(4);
  for (const std::string& path : {truncated, bad_magic}) {
    grpc::Status st = Load(path, &loaded);
    EXPECT_FALSE(st.ok()) << path;
    EXPECT_NE(st.error_message().find(path), std::string::npos) << st.error_message();
    EXPECT_EQ(st.error_message().find('\n'), std::string::npos) << "one line: " << st.error_message();
  }
  EXPECT_EQ(Load(env_.root() + "/missing.gguf", &loaded).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Load("relative.gguf", &loaded).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  auto dstub = v1::Daemon::NewStub(channel_);
  v1::StatusResponse status;
  ASSERT_TRUE(dstub->Status(Ctx().get(), v1::StatusRequest(), &status).ok());
  EXPECT_EQ(status.model().path(), kModel);
}

TEST_F(ModelE2E, RequestsWithoutAModelOrWithBadSamplingFail) {
  v1::CompleteRequest req;
  req.set_prompt("x");
  auto ctx = Ctx();
  std::vector<v1::TokenChunk> tokens;
  v1::CompletionSummary summary;
  EXPECT_EQ(ReadAll(stub_->Complete(ctx.get(), req).get(), &tokens, &summary).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::LoadModelResponse loaded;
  ASSERT_TRUE(Load(kModel, &loaded).ok());
  req.mutable_sampling()->set_top_p(3.0f);
  auto ctx2 = Ctx();
  grpc::Status st = ReadAll(stub_->Complete(ctx2.get(), req).get(), &tokens, &summary);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("top_p"), std::string::npos);
}

TEST_F(ModelE2E, ClientCancellationMidStreamLeavesTheDaemonServing) {
  v1::LoadModelResponse loaded;
  ASSERT_TRUE(Load(kModel, &loaded).ok());
  v1::CompleteRequest req;
  req.set_prompt("the");
  req.set_max_tokens(4000);
  grpc::ClientContext ctx;
  auto reader = stub_->Complete(&ctx, req);
  v1::CompletionEvent e;
  ASSERT_TRUE(reader->Read(&e));
  ctx.TryCancel();
  while (reader->Read(&e)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The next request is served at once (the cancelled generation released the engine).
  v1::CompleteRequest small;
  small.set_prompt("the");
  small.set_max_tokens(3);
  auto ctx2 = Ctx();
  std::vector<v1::TokenChunk> tokens;
  v1::CompletionSummary summary;
  ASSERT_TRUE(ReadAll(stub_->Complete(ctx2.get(), small).get(), &tokens, &summary).ok());
  EXPECT_GT(summary.completion_tokens(), 0);
}

TEST_F(ModelE2E, CliLoadsAndStreamsACompletion) {
  auto load = RunCommand({ENGRAM_BIN, "model", "load", kModel}, env_.vars());
  ASSERT_EQ(load.exit_code, 0) << load.output;
  EXPECT_NE(load.output.find("deepseek2"), std::string::npos) << load.output;
  auto complete = RunCommand({ENGRAM_BIN, "complete", "--max-tokens", "6", "the quick brown fox"}, env_.vars());
  ASSERT_EQ(complete.exit_code, 0) << complete.output;
  EXPECT_NE(complete.output.find("generated tokens"), std::string::npos) << complete.output;
  std::string truncated = env_.root() + "/t.gguf";
  std::ofstream(truncated, std::ios::binary) << "GGUF";
  auto bad = RunCommand({ENGRAM_BIN, "model", "load", truncated}, env_.vars());
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("t.gguf"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace engram
