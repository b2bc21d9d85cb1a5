#include "daemon/daemon.h"

#include <unistd.h>

#include <csignal>

#include "daemon/io/event_loop.h"
#include "daemon/io/instance_lock.h"
#include "daemon/io/token_file.h"
#include "daemon/server/daemon_service.h"
#include "daemon/server/grpc_server.h"
#include "daemon/server/model_service.h"
#include "daemon/session/session_manager.h"
#include "daemon/server/workspace_service.h"
#include "daemon/state.h"
#include "daemon/workspace/workspace_manager.h"
#include "engine/devices.h"
#include "support/file_util.h"
#include "support/logging.h"

namespace engram::daemon {

int RunDaemon(const Config& config, StartupReporter reporter, bool log_to_stderr) {
  auto fail = [&](int code, const absl::Status& s) {
    reporter.Fail(code, "engramd: " + std::string(s.message()) + "\n");
    GetLogger("daemon")->error("start-up failed: {}", std::string(s.message()));
    FlushLogs();
    return code;
  };

  for (const auto& [dir, private_dir] : {std::pair{config.runtime_dir, true}, {config.data_dir, true},
                                         {config.cache_dir, true}}) {
    if (auto s = MakeDirs(dir, 0700, private_dir); !s.ok()) return fail(kExitStartupFailed, s);
  }
  auto lock = InstanceLock::Acquire(config.LockPath());
  if (!lock.ok()) {
    return fail(absl::IsAlreadyExists(lock.status()) ? kExitAlreadyRunning : kExitStartupFailed, lock.status());
  }
  if (auto s = InitLogging({.level = config.log_level, .file = config.log_file, .to_stderr = log_to_stderr});
      !s.ok()) {
    return fail(kExitStartupFailed, s);
  }
  auto log = GetLogger("daemon");
  auto token = LoadOrCreateToken(config.TokenPath());
  if (!token.ok()) return fail(kExitStartupFailed, token.status());

  // A client that disappears mid-write must not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);

  EventLoop loop;
  SessionManager sessions(*token);
  engine::Engine engine({.n_threads = static_cast<int>(config.engine_threads),
                         .max_context = config.engine_context,
                         .kv_type = *engine::KvTypeFromName(config.kv_type)});
  if (!config.model_path.empty()) {
    auto loaded = engine.Load(config.model_path);
    if (!loaded.ok()) return fail(kExitStartupFailed, loaded.status());
    log->info("loaded model path={} arch={}", config.model_path, loaded->info.architecture);
  }
  DaemonState state(config.data_dir, config.log_file, &sessions, &engine);
  std::unique_ptr<GrpcServer> server;
  bool stopping = false;

  // Runs on the loop thread only.
  auto shutdown = [&](const std::string& reason) {
    if (stopping) return;
    stopping = true;
    log->info("shutting down reason=\"{}\" active_calls={}", reason, sessions.active());
    sessions.CancelAll();
    if (server) {
      server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(config.shutdown_grace_ms));
    }
    loop.Stop();
  };
  loop.OnSignal([&](int signo) { shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT"); });

  DaemonService daemon_service(&state, &sessions,
                               [&](std::string reason) { loop.Post([&, reason] { shutdown(reason); }); });
  ModelService model_service(&engine, &sessions);
  WorkspaceSettings workspace_settings;
  workspace_settings.data_dir = config.data_dir;
  workspace_settings.indexer.threads = static_cast<int>(config.index_threads);
  workspace_settings.indexer.max_file_bytes = static_cast<uint64_t>(config.index_max_file_kib) * 1024;
  workspace_settings.indexer.parse.max_bytes = workspace_settings.indexer.max_file_bytes;
  workspace_settings.indexer.history_commits = static_cast<uint32_t>(config.index_history_commits);
  workspace_settings.debounce = std::chrono::milliseconds(config.index_debounce_ms);
  WorkspaceManager workspaces(loop.context(), workspace_settings);
  state.SetWorkspaces(&workspaces);
  WorkspaceService workspace_service(&workspaces, &sessions);
  auto started = GrpcServer::Start(
      {.unix_path = config.socket_path, .tcp_listen = config.tcp_listen,
       .max_request_bytes = config.max_request_bytes},
      {&daemon_service, &model_service, &workspace_service});
  if (!started.ok()) return fail(kExitStartupFailed, started.status());
  server = std::move(*started);

  state.AddEndpoint({"unix:" + config.socket_path, false});
  std::string ready = "engramd " + std::string(Version()) + " listening on unix:" + config.socket_path;
  if (server->tcp_port() != 0) {
    std::string host = config.tcp_listen.substr(0, config.tcp_listen.rfind(':'));
    std::string address = host + ":" + std::to_string(server->tcp_port());
    state.AddEndpoint({address, true});
    ready += " and tcp:" + address + " (token required)";
  }
  ready += " pid=" + std::to_string(::getpid()) + "\n";
  const engine::Devices& devices = engine::GetDevices();
  log->info("started version={} pid={} socket={} tcp_port={} cuda_compiled={} gpus={} cpu=\"{}\"", Version(),
            ::getpid(), config.socket_path, server->tcp_port(), devices.cuda_compiled, devices.gpu_count,
            devices.cpu_features);
  reporter.Ready(ready);

  loop.Run();
  server.reset();
  workspaces.StopAll();
  log->info("stopped");
  FlushLogs();
  return kExitOk;
}

}  // namespace engram::daemon
