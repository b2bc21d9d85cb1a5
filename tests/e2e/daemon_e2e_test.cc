// engramd end to end: the real binary on a temporary runtime directory, driven through the
// generated engram.v1 stubs over its real unix socket and loopback TCP port.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "engram/v1/daemon.grpc.pb.h"
#include "tests/e2e/daemon_process.h"

namespace engram {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::ScratchEnv;

class DaemonE2E : public ::testing::Test {
 protected:
  std::unique_ptr<Process> StartDaemon(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {ENGRAMD_BIN, "--foreground"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<Process>(argv, env_.vars());
    ready_line_ = testing::WaitForEngramdReady(*p);
    EXPECT_FALSE(ready_line_.empty()) << "engramd did not report readiness:\n" << p->output();
    return p;
  }

  std::unique_ptr<v1::Daemon::Stub> UnixStub() {
    return v1::Daemon::NewStub(grpc::CreateChannel("unix:" + env_.socket_path(), grpc::InsecureChannelCredentials()));
  }

  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + 10s);
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  ScratchEnv env_;
  std::string ready_line_;
};

TEST_F(DaemonE2E, StatusAnswersOverTheUnixSocket) {
  auto daemon = StartDaemon();
  v1::StatusResponse resp;
  grpc::Status st = UnixStub()->Status(Context().get(), v1::StatusRequest(), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.pid(), daemon->pid());
  EXPECT_FALSE(resp.version().empty());
  EXPECT_GE(resp.uptime_ms(), 0);
  EXPECT_GT(resp.memory().rss_bytes(), 0);
  EXPECT_GE(resp.memory().peak_rss_bytes(), resp.memory().rss_bytes());
  EXPECT_EQ(resp.active_calls(), 1);  // this call
  ASSERT_EQ(resp.endpoints_size(), 1);
  EXPECT_EQ(resp.endpoints(0).address(), "unix:" + env_.socket_path());
  EXPECT_FALSE(resp.endpoints(0).requires_token());
  EXPECT_FALSE(resp.has_model());
  EXPECT_EQ(resp.features().gpu_present(), resp.features().gpu_count() > 0);
  EXPECT_EQ(resp.data_dir(), env_.root() + "/data/engram");
  EXPECT_TRUE(std::filesystem::exists(resp.log_file()));
}

TEST_F(DaemonE2E, SocketIsOwnerOnlyInsideAPrivateDirectory) {
  auto daemon = StartDaemon();
  struct stat st;
  ASSERT_EQ(::stat(env_.socket_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((env_.root() + "/run/engram").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(DaemonE2E, SecondDaemonIsRefusedNamingTheRunningPid) {
  auto first = StartDaemon();
  Process second({ENGRAMD_BIN, "--foreground"}, env_.vars());
  EXPECT_EQ(second.Wait(10s), 3);
  EXPECT_NE(second.output().find("another engramd is running (pid " + std::to_string(first->pid())),
            std::string::npos)
      << second.output();
  // The first one is unaffected.
  v1::StatusResponse resp;
  EXPECT_TRUE(UnixStub()->Status(Context().get(), v1::StatusRequest(), &resp).ok());
}

TEST_F(DaemonE2E, SigtermExitsZeroAndRemovesTheSocket) {
  auto daemon = StartDaemon();
  ASSERT_TRUE(std::filesystem::exists(env_.socket_path()));
  auto t0 = std::chrono::steady_clock::now();
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(5s), 0) << daemon->output();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_FALSE(std::filesystem::exists(env_.socket_path()));
  // A new daemon starts at once on the same runtime directory.
  auto again = StartDaemon();
  v1::StatusResponse resp;
  EXPECT_TRUE(UnixStub()->Status(Context().get(), v1::StatusRequest(), &resp).ok());
}

TEST_F(DaemonE2E, ShutdownRpcAnswersThenExitsZero) {
  auto daemon = StartDaemon();
  v1::ShutdownRequest req;
  req.set_reason("e2e");
  v1::ShutdownResponse resp;
  grpc::Status st = UnixStub()->Shutdown(Context().get(), req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(daemon->Wait(5s), 0) << daemon->output();
  EXPECT_FALSE(std::filesystem::exists(env_.socket_path()));
}

TEST_F(DaemonE2E, TcpNeedsTheBearerToken) {
  auto daemon = StartDaemon({"--tcp", "127.0.0.1:0"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(ready_line_, m, std::regex("tcp:127\\.0\\.0\\.1:(\\d+)"))) << ready_line_;
  std::string address = "127.0.0.1:" + m[1].str();

  struct stat st;
  ASSERT_EQ(::stat(env_.token_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string token;
  std::ifstream(env_.token_path()) >> token;
  ASSERT_EQ(token.size(), 64u);

  auto stub = v1::Daemon::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::StatusResponse resp;
  grpc::Status none = stub->Status(Context().get(), v1::StatusRequest(), &resp);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED) << none.error_message();
  std::string wrong = token;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  grpc::Status bad = stub->Status(Context(wrong).get(), v1::StatusRequest(), &resp);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Shutdown is refused too, and the daemon keeps running.
  v1::ShutdownResponse sresp;
  EXPECT_EQ(stub->Shutdown(Context().get(), v1::ShutdownRequest(), &sresp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  grpc::Status good = stub->Status(Context(token).get(), v1::StatusRequest(), &resp);
  ASSERT_TRUE(good.ok()) << good.error_message();
  EXPECT_EQ(resp.pid(), daemon->pid());
  ASSERT_EQ(resp.endpoints_size(), 2);
  EXPECT_EQ(resp.endpoints(1).address(), address);
  EXPECT_TRUE(resp.endpoints(1).requires_token());

  // The token survives a restart.
  daemon->Signal(SIGTERM);
  ASSERT_EQ(daemon->Wait(5s), 0);
  auto again = StartDaemon({"--tcp", "127.0.0.1:0"});
  std::string token2;
  std::ifstream(env_.token_path()) >> token2;
  EXPECT_EQ(token, token2);
}

TEST_F(DaemonE2E, OversizedRequestIsRefusedAndTheDaemonKeepsServing) {
  auto daemon = StartDaemon();
  // A StatusRequest carrying 9 MiB in an unknown field: over the default 8 MiB limit.
  v1::StatusRequest big;
  big.GetReflection()->MutableUnknownFields(&big)->AddLengthDelimited(1000, std::string(9 << 20, 'x'));
  v1::StatusResponse resp;
  grpc::Status st = UnixStub()->Status(Context().get(), big, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();

  grpc::Status after = UnixStub()->Status(Context().get(), v1::StatusRequest(), &resp);
  EXPECT_TRUE(after.ok()) << after.error_message();
  EXPECT_EQ(resp.pid(), daemon->pid());
}

TEST_F(DaemonE2E, StaleSocketFromACrashIsReplaced) {
  auto daemon = StartDaemon();
  daemon->Signal(SIGKILL);
  daemon->Wait(5s);
  ASSERT_TRUE(std::filesystem::exists(env_.socket_path()));  // left behind by kill -9
  auto again = StartDaemon();
  v1::StatusResponse resp;
  ASSERT_TRUE(UnixStub()->Status(Context().get(), v1::StatusRequest(), &resp).ok());
  EXPECT_EQ(resp.pid(), again->pid());
}

TEST_F(DaemonE2E, BadConfigIsAUsageErrorNamingTheKey) {
  std::string cfg = env_.root() + "/bad.toml";
  std::ofstream(cfg) << "[server]\ntcp_listen = \"0.0.0.0:80\"\n";
  Process p({ENGRAMD_BIN, "--foreground", "--config", cfg}, env_.vars());
  EXPECT_EQ(p.Wait(10s), 2);
  EXPECT_NE(p.output().find("must be a loopback address"), std::string::npos) << p.output();
}

TEST_F(DaemonE2E, VersionSaysWhetherCudaIsCompiledAndAGpuPresent) {
  auto r = testing::RunCommand({ENGRAMD_BIN, "--version"}, env_.vars());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(r.output, std::regex("cuda: (not )?compiled in"))) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("gpu: (none present|\\d+ present)"))) << r.output;
}

}  // namespace
}  // namespace engram
