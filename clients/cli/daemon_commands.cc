#include "clients/cli/daemon_commands.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>


#include "clients/cli/exit_codes.h"
#include "clients/cli/json_output.h"
#include "engram/v1/daemon.grpc.pb.h"

extern char** environ;

namespace engram::cli {
namespace {


std::string Bytes(int64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1 << 20));
  return buf;
}

void PrintHuman(const v1::StatusResponse& r) {
  std::printf("engramd %s  pid %lld  up %.1f s\n", r.version().c_str(), static_cast<long long>(r.pid()),
              r.uptime_ms() / 1000.0);
  for (const auto& e : r.endpoints())
    std::printf("listening  %s%s\n", e.address().c_str(), e.requires_token() ? "  (token required)" : "");
  const auto& f = r.features();
  std::printf("cuda       %s\n", f.cuda_compiled() ? "compiled in" : "not compiled in");
  std::printf("gpu        %s\n", f.gpu_present() ? (std::to_string(f.gpu_count()) + " (" + f.gpu_name() + ")").c_str() : "none");
  std::printf("cpu        %s  (kernels: %s)\n", f.cpu_features().c_str(), f.kernel_variant().c_str());
  std::printf("model      %s\n", r.has_model() ? (r.model().path() + " [" + r.model().architecture() + "]").c_str() : "none loaded");
  std::printf("workspaces %d\n", r.workspaces_size());
  for (const auto& w : r.workspaces()) std::printf("  %s\n", w.path().c_str());
  std::printf("memory     rss %s, peak %s\n", Bytes(r.memory().rss_bytes()).c_str(), Bytes(r.memory().peak_rss_bytes()).c_str());
  std::printf("calls      %d in flight\n", r.active_calls());
  std::printf("data       %s\nlog        %s\n", r.data_dir().c_str(), r.log_file().c_str());
}

grpc::Status CallStatus(const Connection& conn, v1::StatusResponse* out) {
  auto stub = v1::Daemon::NewStub(conn.channel());
  auto ctx = conn.NewContext();
  return stub->Status(ctx.get(), v1::StatusRequest(), out);
}

std::string FindEngramd(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto candidate : {self.parent_path() / "engramd", self.parent_path().parent_path() / "daemon" / "engramd"}) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return "engramd";  // resolved through $PATH by posix_spawnp
}

}  // namespace

int ReportRpcError(const grpc::Status& status, const std::string& target) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      std::fprintf(stderr, "engram: engramd is not reachable at %s (%s); start it with `engram daemon start`\n",
                   target.c_str(), status.error_message().c_str());
      return kExitNoDaemon;
    case grpc::StatusCode::UNAUTHENTICATED:
      std::fprintf(stderr, "engram: %s refused the call: %s\n", target.c_str(), status.error_message().c_str());
      return kExitUnauthorized;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      std::fprintf(stderr, "engram: %s did not answer in time\n", target.c_str());
      return kExitTimeout;
    default:
      std::fprintf(stderr, "engram: %s: %s\n", target.c_str(), status.error_message().c_str());
      return kExitError;
  }
}

int RunStatus(const Connection& conn, bool json) {
  v1::StatusResponse resp;
  grpc::Status st = CallStatus(conn, &resp);
  if (!st.ok()) return ReportRpcError(st, conn.target());
  if (json) {
    std::printf("%s\n", ToJson(resp, true).c_str());
  } else {
    PrintHuman(resp);
  }
  return kExitOk;
}

int RunShutdown(const Connection& conn, bool json, const std::string& reason) {
  auto stub = v1::Daemon::NewStub(conn.channel());
  auto ctx = conn.NewContext();
  v1::ShutdownRequest req;
  req.set_reason(reason);
  v1::ShutdownResponse resp;
  grpc::Status st = stub->Shutdown(ctx.get(), req, &resp);
  if (!st.ok()) return ReportRpcError(st, conn.target());
  if (json) {
    std::printf("{\"shutdown\": true}\n");
  } else {
    std::printf("engramd is shutting down\n");
  }
  return kExitOk;
}

int RunDaemonStart(const Connection& conn, const ConnectionOptions& conn_options, const DaemonStartOptions& options,
                   bool json) {
  v1::StatusResponse resp;
  if (CallStatus(conn, &resp).ok()) {
    if (json) {
      std::printf("{\"started\": false, \"pid\": %lld}\n", static_cast<long long>(resp.pid()));
    } else {
      std::printf("engramd is already running (pid %lld)\n", static_cast<long long>(resp.pid()));
    }
    return kExitOk;
  }
  std::string engramd = FindEngramd(options.engramd);
  std::vector<std::string> args = {engramd};
  if (!conn_options.socket_path.empty()) args.insert(args.end(), {"--socket", conn_options.socket_path});
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // engramd daemonizes itself and exits once its socket answers (or with its start-up error code).
  pid_t pid = 0;
  if (int err = ::posix_spawnp(&pid, engramd.c_str(), nullptr, nullptr, argv.data(), environ); err != 0) {
    std::fprintf(stderr, "engram: cannot run '%s': %s\n", engramd.c_str(), std::strerror(err));
    return kExitError;
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    std::fprintf(stderr, "engram: engramd failed to start (exit %d)\n", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    return kExitError;
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(options.wait_s * 1000));
  grpc::Status st;
  while (std::chrono::steady_clock::now() < until) {
    st = CallStatus(conn, &resp);
    if (st.ok()) {
      if (json) {
        std::printf("{\"started\": true, \"pid\": %lld}\n", static_cast<long long>(resp.pid()));
      } else {
        std::printf("engramd started (pid %lld) on %s\n", static_cast<long long>(resp.pid()), conn.target().c_str());
      }
      return kExitOk;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::fprintf(stderr, "engram: engramd did not answer on %s within %.0f s\n", conn.target().c_str(), options.wait_s);
  return kExitTimeout;
}

}  // namespace engram::cli
