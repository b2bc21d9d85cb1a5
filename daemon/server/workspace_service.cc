#include "daemon/server/workspace_service.h"

#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

#include "daemon/marshal/status_marshal.h"
#include "daemon/marshal/workspace_marshal.h"
#include "daemon/server/call_info.h"
#include "support/logging.h"

namespace engram::daemon {
namespace {

// Streams one Open: the sync runs on a worker thread (which waits for the workspace's indexing
// thread); events queue up and are written one at a time. Progress events are coalesced: while a write
// is in flight only the newest progress is kept.
class OpenStream final : public grpc::ServerWriteReactor<v1::OpenWorkspaceEvent> {
 public:
  OpenStream(WorkspaceManager* workspaces, std::unique_ptr<Session> session, v1::OpenWorkspaceRequest request)
      : workspaces_(workspaces), session_(std::move(session)) {
    worker_ = std::thread([this, request = std::move(request)] { Run(request); });
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      broken_ = true;
      queue_.clear();
      session_->Cancel();
    }
    Pump(std::move(lock));
  }

  void OnCancel() override { session_->Cancel(); }

  void OnDone() override {
    worker_.join();
    delete this;
  }

 private:
  void Run(const v1::OpenWorkspaceRequest& request) {
    absl::Status status = [&]() -> absl::Status {
      WorkspaceOpenOptions options;
      options.watch = !request.has_watch() || request.watch();
      options.history_commits = request.history_commits();
      auto workspace = workspaces_->Open(request.path(), options);
      if (!workspace.ok()) return workspace.status();
      auto summary = (*workspace)->Sync(
          [this](const repo_index::IndexProgress& progress) {
            v1::OpenWorkspaceEvent event;
            marshal::ToProto(progress, event.mutable_progress());
            Enqueue(std::move(event), /*is_progress=*/true);
          },
          session_->token());
      if (!summary.ok()) return summary.status();
      v1::OpenWorkspaceEvent event;
      marshal::ToProto(*summary, (*workspace)->id(), event.mutable_summary());
      Enqueue(std::move(event), /*is_progress=*/false);
      return absl::OkStatus();
    }();
    std::unique_lock<std::mutex> lock(mu_);
    finished_ = true;
    final_status_ = marshal::ToGrpcStatus(status);
    Pump(std::move(lock));
  }

  void Enqueue(v1::OpenWorkspaceEvent event, bool is_progress) {
    std::unique_lock<std::mutex> lock(mu_);
    if (broken_) return;
    if (is_progress && !queue_.empty() && queue_.back().has_progress()) {
      queue_.back() = std::move(event);
    } else {
      queue_.push_back(std::move(event));
    }
    Pump(std::move(lock));
  }

  void Pump(std::unique_lock<std::mutex> lock) {
    if (writing_ || finish_started_) return;
    if (!queue_.empty()) {
      current_ = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
      lock.unlock();
      StartWrite(&current_);
      return;
    }
    if (finished_) {
      finish_started_ = true;
      grpc::Status status = final_status_;
      lock.unlock();
      Finish(status);
    }
  }

  WorkspaceManager* workspaces_;
  std::unique_ptr<Session> session_;
  std::thread worker_;
  std::mutex mu_;
  std::deque<v1::OpenWorkspaceEvent> queue_;  // guarded by mu_
  v1::OpenWorkspaceEvent current_;            // being written (owned until OnWriteDone)
  bool writing_ = false;                      // guarded by mu_
  bool finished_ = false;                     // guarded by mu_
  bool finish_started_ = false;               // guarded by mu_
  bool broken_ = false;                       // guarded by mu_
  grpc::Status final_status_;                 // guarded by mu_
};

grpc::ServerWriteReactor<v1::OpenWorkspaceEvent>* FailedOpen(const absl::Status& status) {
  class Failed final : public grpc::ServerWriteReactor<v1::OpenWorkspaceEvent> {
   public:
    explicit Failed(const grpc::Status& s) { Finish(s); }
    void OnDone() override { delete this; }
  };
  return new Failed(marshal::ToGrpcStatus(status));
}

}  // namespace

grpc::ServerWriteReactor<v1::OpenWorkspaceEvent>* WorkspaceService::Open(grpc::CallbackServerContext* ctx,
                                                                         const v1::OpenWorkspaceRequest* request) {
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Workspace/Open"));
  if (!session.ok()) return FailedOpen(session.status());
  if (request->path().empty() || request->path()[0] != '/' || request->path().size() > 4096) {
    return FailedOpen(absl::InvalidArgumentError("workspace: path must be an absolute directory path"));
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

}  // namespace engram::daemon
