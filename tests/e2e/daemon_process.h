// Test helper: a scratch XDG environment and real child processes (engramd, engram) with their
// output captured. Used by every e2e test; nothing here fakes the daemon.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace engram::testing {

// A temporary directory tree with XDG_RUNTIME_DIR, XDG_DATA_HOME, XDG_CACHE_HOME, XDG_CONFIG_HOME
// and HOME inside it; removed on destruction.
class ScratchEnv {
 public:
  ScratchEnv();
  ~ScratchEnv();
  const std::string& root() const { return root_; }
  std::string socket_path() const { return root_ + "/run/engram/engramd.sock"; }
  std::string token_path() const { return root_ + "/data/engram/tcp.token"; }
  std::map<std::string, std::string> vars() const;

 private:
  std::string root_;
};

// A child process with stdout+stderr captured into one buffer by a reader thread.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
  ~Process();  // kills (SIGKILL) and reaps if still running

  pid_t pid() const { return pid_; }
  // Waits until the output contains `needle`; returns the line holding it, or "" on timeout/exit.
  std::string WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout);
  // Waits for exit; the exit code, 128+signal if killed, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  void Signal(int signo);
  // Waits until every holder of the output pipe has closed it.
  bool WaitForEof(std::chrono::milliseconds timeout);
  std::string output();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int exit_code_ = -1;
  bool exited_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string out_;
  bool eof_ = false;
  std::thread reader_;
};

// Waits (up to 20 s) for engramd's readiness line ("engramd ... listening on unix:... pid=N") and
// returns it; "" when the daemon exited or stayed silent.
std::string WaitForEngramdReady(Process& daemon);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

// Runs a command to completion (bounded by `timeout`; killed after it).
CommandResult RunCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace engram::testing
