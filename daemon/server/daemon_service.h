// engram.v1.Daemon over the gRPC callback API: unmarshal, call the daemon core, marshal.
// Every RPC begins a Session (authorization, registration, cancellation) before doing anything.
#pragma once

#include <functional>
#include <string>

#include "daemon/session/session_manager.h"
#include "daemon/state.h"
#include "engram/v1/daemon.grpc.pb.h"

namespace engram::daemon {

class DaemonService final : public v1::Daemon::CallbackService {
 public:
  // `request_shutdown(reason)` is called after the Shutdown response has been sent.
  DaemonService(const DaemonState* state, SessionManager* sessions,
                std::function<void(std::string)> request_shutdown)
      : state_(state), sessions_(sessions), request_shutdown_(std::move(request_shutdown)) {}

  grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* ctx, const v1::StatusRequest* request,
                                   v1::StatusResponse* response) override;
  grpc::ServerUnaryReactor* Shutdown(grpc::CallbackServerContext* ctx, const v1::ShutdownRequest* request,
                                     v1::ShutdownResponse* response) override;

 private:
  const DaemonState* state_;
  SessionManager* sessions_;
  std::function<void(std::string)> request_shutdown_;
};

}  // namespace engram::daemon
