#include "clients/cli/connection.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace engram::cli {
namespace {

std::string AbsEnv(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && v[0] == '/' ? v : "";
}

std::string DefaultTokenFile() {
  std::string base = AbsEnv("XDG_DATA_HOME");
  if (base.empty()) base = AbsEnv("HOME") + "/.local/share";
  return base + "/engram/tcp.token";
}

}  // namespace

std::string DefaultRuntimeDir() {
  std::string base = AbsEnv("XDG_RUNTIME_DIR");
  return base.empty() ? "/tmp/engram-" + std::to_string(::getuid()) : base + "/engram";
}

std::string DefaultSocketPath() { return DefaultRuntimeDir() + "/engramd.sock"; }

Connection::Connection(const ConnectionOptions& options)
    : timeout_(static_cast<int64_t>(options.timeout_s * 1000)) {
  if (!options.tcp_address.empty()) {
    target_ = options.tcp_address;
    if (const char* env = std::getenv("ENGRAM_TOKEN"); env != nullptr && env[0] != '\0') {
      token_ = env;
    } else {
      std::string path = options.token_file.empty() ? DefaultTokenFile() : options.token_file;
      std::ifstream in(path);
      if (!(in >> token_)) token_error_ = "cannot read the token file '" + path + "'";
    }
  } else {
    target_ = "unix:" + (options.socket_path.empty() ? DefaultSocketPath() : options.socket_path);
  }
  channel_ = grpc::CreateChannel(target_, grpc::InsecureChannelCredentials());
}

std::unique_ptr<grpc::ClientContext> Connection::NewContext(double min_timeout_s) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  auto timeout = std::max(timeout_, std::chrono::milliseconds(static_cast<int64_t>(min_timeout_s * 1000)));
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!token_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_);
  return ctx;
}

}  // namespace engram::cli
