#include "daemon/server/daemon_service.h"

#include "daemon/marshal/daemon_marshal.h"
#include "daemon/marshal/status_marshal.h"
#include "daemon/server/call_info.h"
#include "support/logging.h"

namespace engram::daemon {
namespace {

// Finishes with OK and, once the response is on its way (OnDone), runs `after`.
class ThenReactor final : public grpc::ServerUnaryReactor {
 public:
  explicit ThenReactor(std::function<void()> after) : after_(std::move(after)) {}
  void OnDone() override {
    auto after = std::move(after_);
    delete this;
    if (after) after();
  }

 private:
  std::function<void()> after_;
};

}  // namespace

grpc::ServerUnaryReactor* DaemonService::Status(grpc::CallbackServerContext* ctx, const v1::StatusRequest*,
                                                v1::StatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Daemon/Status"));
  if (!session.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(session.status()));
    return reactor;
  }
  marshal::ToProto(state_->Snapshot(), response);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* DaemonService::Shutdown(grpc::CallbackServerContext* ctx, const v1::ShutdownRequest* request,
                                                  v1::ShutdownResponse*) {
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Daemon/Shutdown"));
  if (!session.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(marshal::ToGrpcStatus(session.status()));
    return reactor;
  }
  std::string reason = request->reason().empty() ? "Shutdown RPC" : "Shutdown RPC: " + request->reason().substr(0, 200);
  GetLogger("daemon")->info("shutdown requested peer={} reason={}", ctx->peer(), reason);
  auto* reactor = new ThenReactor([this, reason] { request_shutdown_(reason); });
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace engram::daemon
