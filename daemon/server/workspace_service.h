// engram.v1.Workspace over the gRPC callback API. Indexing and searches run off gRPC's callback
// threads: Open streams progress from the workspace's indexing thread through a queue (one write in
// flight); client cancellation, deadlines and daemon shutdown cancel the session's token, which the
// indexer checks between files.
#pragma once

#include "daemon/session/session_manager.h"
#include "daemon/workspace/workspace_manager.h"
#include "engram/v1/workspace.grpc.pb.h"

namespace engram::daemon {

class WorkspaceService final : public v1::Workspace::CallbackService {
 public:
  WorkspaceService(WorkspaceManager* workspaces, SessionManager* sessions)
      : workspaces_(workspaces), sessions_(sessions) {}

  grpc::ServerWriteReactor<v1::OpenWorkspaceEvent>* Open(grpc::CallbackServerContext* ctx,
                                                         const v1::OpenWorkspaceRequest* request) override;
  grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* ctx, const v1::WorkspaceStatusRequest* request,
                                   v1::WorkspaceStatusResponse* response) override;
  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* ctx, const v1::SearchRequest* request,
                                   v1::SearchResponse* response) override;
  grpc::ServerUnaryReactor* Retrieve(grpc::CallbackServerContext* ctx, const v1::RetrieveRequest* request,
                                     v1::RetrieveResponse* response) override;

 private:
  WorkspaceManager* workspaces_;
  SessionManager* sessions_;
};

}  // namespace engram::daemon
