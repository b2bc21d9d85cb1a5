#include "daemon/server/workspace_service.h"

#include <thread>

#include "daemon/marshal/status_marshal.h"
#include "daemon/marshal/workspace_marshal.h"
#include "daemon/server/call_info.h"
#include "daemon/server/queued_stream.h"
#include "support/logging.h"

namespace engram::daemon {
namespace {

// Streams one Open: the sync runs on the worker thread (which waits for the workspace's indexing
// thread); progress events are coalesced while a write is in flight.
class OpenStream final : public QueuedStream<v1::OpenWorkspaceEvent> {
 public:
  OpenStream(WorkspaceManager* workspaces, std::unique_ptr<Session> session, v1::OpenWorkspaceRequest request)
      : QueuedStream(std::move(session)), workspaces_(workspaces) {
    Start([this, request = std::move(request)] { return Run(request); });
  }

 private:
  absl::Status Run(const v1::OpenWorkspaceRequest& request) {
    WorkspaceOpenOptions options;
    options.watch = !request.has_watch() || request.watch();
    options.history_commits = request.history_commits();
    auto workspace = workspaces_->Open(request.path(), options);
    if (!workspace.ok()) return workspace.status();
    auto summary = (*workspace)->Sync(
        [this](const repo_index::IndexProgress& progress) {
          v1::OpenWorkspaceEvent event;
          marshal::ToProto(progress, event.mutable_progress());
          Enqueue(std::move(event), /*coalescable=*/true);
        },
        session().token());
    if (!summary.ok()) return summary.status();
    v1::OpenWorkspaceEvent event;
    marshal::ToProto(*summary, (*workspace)->id(), event.mutable_summary());
    Enqueue(std::move(event));
    return absl::OkStatus();
  }

  WorkspaceManager* workspaces_;
};

}  // namespace

grpc::ServerWriteReactor<v1::OpenWorkspaceEvent>* WorkspaceService::Open(grpc::CallbackServerContext* ctx,
                                                                         const v1::OpenWorkspaceRequest* request) {
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Workspace/Open"));
  if (!session.ok()) return FailedStream<v1::OpenWorkspaceEvent>(session.status());
  if (request->path().empty() || request->path()[0] != '/' || request->path().size() > 4096) {
    return FailedStream<v1::OpenWorkspaceEvent>(absl::InvalidArgumentError("workspace: path must be an absolute directory path"));
  }
  return new OpenStream(workspaces_, std::move(*session), *request);
}

grpc::ServerUnaryReactor* WorkspaceService::Status(grpc::CallbackServerContext* ctx,
                                                   const v1::WorkspaceStatusRequest* request,
                                                   v1::WorkspaceStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Workspace/Status"));
  if (!session.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(session.status()));
    return reactor;
  }
  if (!request->workspace().empty()) {
    auto workspace = workspaces_->Find(request->workspace());
    if (!workspace.ok()) {
      reactor->Finish(marshal::ToGrpcStatus(workspace.status()));
      return reactor;
    }
    marshal::ToProto((*workspace)->Snapshot(), response->add_workspaces());
  } else {
    for (const WorkspaceSnapshot& snapshot : workspaces_->Snapshots()) {
      marshal::ToProto(snapshot, response->add_workspaces());
    }
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* WorkspaceService::Search(grpc::CallbackServerContext* ctx, const v1::SearchRequest* request,
                                                   v1::SearchResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Workspace/Search"));
  if (!session.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(session.status()));
    return reactor;
  }
  auto query = marshal::FromProto(*request);
  if (!query.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(query.status()));
    return reactor;
  }
  auto workspace = workspaces_->Find(request->workspace());
  if (!workspace.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(workspace.status()));
    return reactor;
  }
  // SQLite work stays off gRPC's callback threads.
  std::thread([reactor, response, query = std::move(*query), ws = std::move(*workspace), s = std::move(*session)] {
    auto results = ws->Search(query);
    if (!results.ok()) {
      reactor->Finish(marshal::ToGrpcStatus(results.status()));
      return;
    }
    marshal::ToProto(*results, response);
    reactor->Finish(grpc::Status::OK);
  }).detach();
  return reactor;
}

grpc::ServerUnaryReactor* WorkspaceService::Retrieve(grpc::CallbackServerContext* ctx,
                                                     const v1::RetrieveRequest* request,
                                                     v1::RetrieveResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Workspace/Retrieve"));
  if (!session.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(session.status()));
    return reactor;
  }
  auto call = marshal::FromProto(*request);
  if (!call.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(call.status()));
    return reactor;
  }
  auto workspace = workspaces_->Find(request->workspace());
  if (!workspace.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(workspace.status()));
    return reactor;
  }
  std::thread([reactor, response, call = std::move(*call), ws = std::move(*workspace), s = std::move(*session)] {
    auto result = ws->Retrieve(call.query, call.budget);
    if (!result.ok()) {
      reactor->Finish(marshal::ToGrpcStatus(result.status()));
      return;
    }
    marshal::ToProto(*result, ws->TokenizerId(), response);
    reactor->Finish(grpc::Status::OK);
  }).detach();
  return reactor;
}

}  // namespace engram::daemon
