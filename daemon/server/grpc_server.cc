#include "daemon/server/grpc_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "support/file_util.h"

namespace engram::daemon {

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const ServerOptions& options,
                                                             const std::vector<grpc::Service*>& services) {
  // We hold the instance lock, so a socket file here is left over from a crash: replace it. Anything
  // that is not a socket is somebody's file: refuse to touch it.
  struct stat st;
  if (::lstat(options.unix_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError("socket path '" + options.unix_path + "' exists and is not a socket");
    }
    if (::unlink(options.unix_path.c_str()) != 0) {
      return absl::UnavailableError("cannot remove stale socket '" + options.unix_path + "': " + ErrnoText(errno));
    }
  }

  std::unique_ptr<GrpcServer> self(new GrpcServer);
  self->unix_path_ = options.unix_path;
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_request_bytes));
  builder.AddListeningPort("unix:" + options.unix_path, grpc::InsecureServerCredentials());
  if (!options.tcp_listen.empty()) {
    builder.AddListeningPort(options.tcp_listen, grpc::InsecureServerCredentials(), &self->tcp_port_);
  }
  for (grpc::Service* s : services) builder.RegisterService(s);

  // The socket is created by bind() inside BuildAndStart: a umask of 0177 makes it 0600 from the
  // first instant (the chmod below only confirms it).
  mode_t old_mask = ::umask(0177);
  self->server_ = builder.BuildAndStart();
  ::umask(old_mask);
  if (!self->server_) {
    return absl::UnavailableError("cannot start the gRPC server on unix:" + options.unix_path +
                                  (options.tcp_listen.empty() ? "" : " and " + options.tcp_listen) +
                                  " (address in use or not permitted)");
  }
  if (!options.tcp_listen.empty() && self->tcp_port_ == 0) {
    self->server_->Shutdown();
    return absl::UnavailableError("cannot listen on " + options.tcp_listen);
  }
  if (::chmod(options.unix_path.c_str(), 0600) != 0) {
    self->server_->Shutdown();
    return absl::UnavailableError("cannot chmod socket '" + options.unix_path + "': " + ErrnoText(errno));
  }
  return self;
}

void GrpcServer::Shutdown(std::chrono::system_clock::time_point deadline) {
  if (shut_down_) return;
  shut_down_ = true;
  server_->Shutdown(deadline);
  server_->Wait();
  ::unlink(unix_path_.c_str());
}

GrpcServer::~GrpcServer() {
  if (!shut_down_ && server_) Shutdown(std::chrono::system_clock::now());
}

}  // namespace engram::daemon
