// The engram CLI end to end against the real engramd.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "tests/e2e/daemon_process.h"

namespace engram {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::RunCommand;
using testing::ScratchEnv;

TEST(CliE2E, StatusJsonIsValidJsonFromTheRunningDaemon) {
  ScratchEnv env;
  Process daemon({ENGRAMD_BIN, "--foreground"}, env.vars());
  ASSERT_FALSE(testing::WaitForEngramdReady(daemon).empty()) << daemon.output();

  auto r = RunCommand({ENGRAM_BIN, "status", "--json"}, env.vars());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(r.output);  // throws (fails the test) on invalid JSON
  EXPECT_EQ(j.at("pid").get<std::string>(), std::to_string(daemon.pid()));  // int64 prints as a string
  EXPECT_TRUE(j.at("features").contains("cuda_compiled"));
  EXPECT_TRUE(j.at("features").contains("gpu_present"));

  auto human = RunCommand({ENGRAM_BIN, "status"}, env.vars());
  EXPECT_EQ(human.exit_code, 0);
  EXPECT_NE(human.output.find("pid " + std::to_string(daemon.pid())), std::string::npos) << human.output;
}

TEST(CliE2E, NoDaemonIsExitCode3WithAHint) {
  ScratchEnv env;
  auto r = RunCommand({ENGRAM_BIN, "status", "--timeout", "2"}, env.vars());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("engram daemon start"), std::string::npos) << r.output;
}

TEST(CliE2E, UsageErrorIsExitCode2) {
  ScratchEnv env;
  EXPECT_EQ(RunCommand({ENGRAM_BIN, "frobnicate"}, env.vars()).exit_code, 2);
  EXPECT_EQ(RunCommand({ENGRAM_BIN}, env.vars()).exit_code, 2);
}

TEST(CliE2E, DaemonStartDetachesThenShutdownStopsIt) {
  ScratchEnv env;
  auto start = RunCommand({ENGRAM_BIN, "daemon", "start", "--engramd", ENGRAMD_BIN}, env.vars());
  ASSERT_EQ(start.exit_code, 0) << start.output;
  EXPECT_NE(start.output.find("engramd started (pid"), std::string::npos) << start.output;

  auto again = RunCommand({ENGRAM_BIN, "daemon", "start", "--engramd", ENGRAMD_BIN}, env.vars());
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.output.find("already running"), std::string::npos) << again.output;

  auto status = RunCommand({ENGRAM_BIN, "status", "--json"}, env.vars());
  ASSERT_EQ(status.exit_code, 0) << status.output;
  long pid = std::stol(nlohmann::json::parse(status.output).at("pid").get<std::string>());

  auto stop = RunCommand({ENGRAM_BIN, "shutdown"}, env.vars());
  EXPECT_EQ(stop.exit_code, 0) << stop.output;
  // The detached daemon is not our child: wait for its pid and its socket to disappear.
  auto until = std::chrono::steady_clock::now() + 5s;
  while ((::kill(pid, 0) == 0 || std::filesystem::exists(env.socket_path())) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  EXPECT_NE(::kill(pid, 0), 0) << "engramd (pid " << pid << ") still running after shutdown";
  EXPECT_FALSE(std::filesystem::exists(env.socket_path()));
}

TEST(CliE2E, TcpWithTokenFile) {
  ScratchEnv env;
  Process daemon({ENGRAMD_BIN, "--foreground", "--tcp", "127.0.0.1:0"}, env.vars());
  std::string line = daemon.WaitForOutput("tcp:127.0.0.1:", 20s);
  ASSERT_FALSE(line.empty()) << daemon.output();
  size_t at = line.find("tcp:") + 4;
  std::string address = line.substr(at, line.find(' ', at) - at);

  auto ok = RunCommand({ENGRAM_BIN, "--tcp", address, "status", "--json"}, env.vars());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  std::string bad_token = env.root() + "/bad.token";
  { std::ofstream(bad_token) << std::string(64, '0') << "\n"; }
  auto refused = RunCommand({ENGRAM_BIN, "--tcp", address, "--token-file", bad_token, "status"}, env.vars());
  EXPECT_EQ(refused.exit_code, 4) << refused.output;
}

}  // namespace
}  // namespace engram
