// The gRPC server: a unix socket (0600, always) and an optional loopback TCP port, serving the
// engram.v1 services with a request size limit. Start() returns once both listeners are bound.
#pragma once

#include <grpcpp/server.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace engram::daemon {

struct ServerOptions {
  std::string unix_path;        // absolute; a stale socket file at this path is replaced
  std::string tcp_listen;       // empty: no TCP; validated as loopback by ValidateConfig()
  int64_t max_request_bytes = 8 << 20;
};

class GrpcServer {
 public:
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const ServerOptions& options,
                                                           const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  // The bound TCP port (0 when TCP is off).
  int tcp_port() const { return tcp_port_; }

  // Stops accepting, waits for in-flight calls until `deadline`, then cancels the rest; removes the
  // socket file. Must not be called from a gRPC callback thread.
  void Shutdown(std::chrono::system_clock::time_point deadline);

 private:
  GrpcServer() = default;
  std::unique_ptr<grpc::Server> server_;
  std::string unix_path_;
  int tcp_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace engram::daemon
