// engramd: the engram daemon. See `engramd --help` and docs/config.md.
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/io/daemonize.h"
#include "daemon/state.h"
#include "engine/devices.h"

namespace {

std::string VersionText() {
  const engram::engine::Devices& d = engram::engine::GetDevices();
  std::string s = "engramd " + std::string(engram::daemon::Version()) + "\n";
  s += "cuda: " + std::string(d.cuda_compiled ? "compiled in" : "not compiled in") + "\n";
  s += "gpu: " + (d.gpu_count > 0 ? std::to_string(d.gpu_count) + " present (" + d.gpu_name + ")" : std::string("none present")) + "\n";
  s += "cpu: " + (d.cpu_features.empty() ? std::string("baseline x86-64") : d.cpu_features) + "\n";
  s += "kernels: " + d.kernel_variant + "\n";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace engram::daemon;
  CLI::App app{"engramd: the engram daemon (offline coding-agent backend). Serves the engram.v1 gRPC API on a "
               "unix socket (0600) and, optionally, on a loopback TCP port that requires a bearer token."};
  bool foreground = false, version = false;
  std::string config_path, socket_path, tcp_listen, runtime_dir, data_dir, log_level, model_path;
  app.add_flag("--foreground,-f", foreground, "stay attached to the terminal and log to stderr too");
  app.add_flag("--version", version, "print the version, CUDA and GPU availability, and exit");
  app.add_option("--config", config_path, "TOML config file (default: $XDG_CONFIG_HOME/engram/engramd.toml if present)");
  app.add_option("--socket", socket_path, "unix socket path (default: $XDG_RUNTIME_DIR/engram/engramd.sock)");
  app.add_option("--tcp", tcp_listen, "also listen on loopback TCP, e.g. 127.0.0.1:7411 (port 0: any free port)");
  app.add_option("--runtime-dir", runtime_dir, "directory for the socket and lock file");
  app.add_option("--data-dir", data_dir, "directory for indexes, the token and the log");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  app.add_option("--model", model_path, "GGUF model to load at start-up");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (version) {
    std::fputs(VersionText().c_str(), stdout);
    return kExitOk;
  }

  auto config = LoadConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "engramd: %s\n", std::string(config.status().message()).c_str());
    return kExitUsage;
  }
  if (!socket_path.empty()) config->socket_path = socket_path;
  if (!tcp_listen.empty()) config->tcp_listen = tcp_listen;
  if (!runtime_dir.empty()) config->runtime_dir = runtime_dir;
  if (!data_dir.empty()) config->data_dir = data_dir;
  if (!log_level.empty()) config->log_level = log_level;
  if (!model_path.empty()) config->model_path = model_path;
  config->ResolveDefaults();
  if (auto s = ValidateConfig(*config); !s.ok()) {
    std::fprintf(stderr, "engramd: %s\n", std::string(s.message()).c_str());
    return kExitUsage;
  }

  StartupReporter reporter = foreground ? StartupReporter() : Daemonize();
  return RunDaemon(*config, std::move(reporter), foreground);
}
