#include "tests/e2e/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace engram::testing {

ScratchEnv::ScratchEnv() {
  char tmpl[] = "/tmp/engram-e2e-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  root_ = tmpl;
  for (const char* d : {"/run", "/data", "/cache", "/config", "/home"}) std::filesystem::create_directories(root_ + d);
  std::filesystem::permissions(root_ + "/run", std::filesystem::perms::owner_all);
}

ScratchEnv::~ScratchEnv() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

std::map<std::string, std::string> ScratchEnv::vars() const {
  return {{"XDG_RUNTIME_DIR", root_ + "/run"}, {"XDG_DATA_HOME", root_ + "/data"},
          {"XDG_CACHE_HOME", root_ + "/cache"}, {"XDG_CONFIG_HOME", root_ + "/config"},
          {"HOME", root_ + "/home"}};
}

Process::Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    if (!env.count(key)) env_strings.push_back(kv);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, STDIN_FILENO);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
  reader_ = std::thread([this] {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard<std::mutex> lock(mu_);
      if (n <= 0) {
        eof_ = true;
        cv_.notify_all();
        return;
      }
      out_.append(buf, static_cast<size_t>(n));
      cv_.notify_all();
    }
  });
}

Process::~Process() {
  if (!exited_) {
    ::kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
  if (reader_.joinable()) reader_.join();
  ::close(out_fd_);
}

std::string Process::WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  size_t pos = std::string::npos;
  cv_.wait_for(lock, timeout, [&] { return (pos = out_.find(needle)) != std::string::npos || eof_; });
  if (pos == std::string::npos) pos = out_.find(needle);
  if (pos == std::string::npos) return "";
  size_t begin = out_.rfind('\n', pos);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = out_.find('\n', pos);
  return out_.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

int Process::Wait(std::chrono::milliseconds timeout) {
  if (exited_) return exit_code_;
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // The reader thread may not have drained the pipe yet: wait for EOF so output() is complete.
      WaitForEof(std::chrono::seconds(2));
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Process::Signal(int signo) {
  if (!exited_) ::kill(pid_, signo);
}

bool Process::WaitForEof(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return eof_; });
}

std::string Process::output() {
  std::lock_guard<std::mutex> lock(mu_);
  return out_;
}

std::string WaitForEngramdReady(Process& daemon) {
  return daemon.WaitForOutput("listening on unix:", std::chrono::seconds(20));
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         std::chrono::milliseconds timeout) {
  Process p(argv, env);
  CommandResult r;
  r.exit_code = p.Wait(timeout);
  r.output = p.output();
  return r;
}

}  // namespace engram::testing
