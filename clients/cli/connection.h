// How the engram CLI reaches engramd: the unix socket by default (same discovery rules as the daemon:
// $XDG_RUNTIME_DIR/engram/engramd.sock, else /tmp/engram-<uid>/engramd.sock), or loopback TCP with
// the bearer token from the daemon's token file. The CLI links no engram library, only the protos.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

namespace engram::cli {

struct ConnectionOptions {
  std::string socket_path;   // empty: the default socket
  std::string tcp_address;   // non-empty: use TCP instead, e.g. "127.0.0.1:7411"
  std::string token_file;    // empty: $XDG_DATA_HOME/engram/tcp.token ($ENGRAM_TOKEN wins when set)
  double timeout_s = 10.0;   // per-RPC deadline
};

std::string DefaultSocketPath();
std::string DefaultRuntimeDir();

class Connection {
 public:
  explicit Connection(const ConnectionOptions& options);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& target() const { return target_; }
  // A client context with the deadline and, over TCP, the authorization metadata. Long calls
  // (model loads, generation streams) get at least `min_timeout_s`.
  std::unique_ptr<grpc::ClientContext> NewContext(double min_timeout_s = 0.0) const;
  // Empty when the token could not be read (the error is kept for messages).
  const std::string& token_error() const { return token_error_; }

 private:
  std::string target_;
  std::string token_;
  std::string token_error_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace engram::cli
