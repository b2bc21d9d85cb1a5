// engram.v1.Model over the gRPC callback API. Loading and generation run on their own threads,
// never on gRPC's callback threads; a stream is fed from its generation thread through a queue,
// one write in flight at a time. Client cancellation, deadlines and daemon shutdown cancel the
// session's token, which the engine checks between tokens.
#pragma once

#include "daemon/session/session_manager.h"
#include "engine/engine.h"
#include "engram/v1/model.grpc.pb.h"

namespace engram::daemon {

class ModelService final : public v1::Model::CallbackService {
 public:
  ModelService(engine::Engine* engine, SessionManager* sessions) : engine_(engine), sessions_(sessions) {}

  grpc::ServerUnaryReactor* Load(grpc::CallbackServerContext* ctx, const v1::LoadModelRequest* request,
                                 v1::LoadModelResponse* response) override;
  grpc::ServerWriteReactor<v1::CompletionEvent>* Complete(grpc::CallbackServerContext* ctx,
                                                          const v1::CompleteRequest* request) override;
  grpc::ServerWriteReactor<v1::CompletionEvent>* Chat(grpc::CallbackServerContext* ctx,
                                                      const v1::ChatRequest* request) override;

 private:
  engine::Engine* engine_;
  SessionManager* sessions_;
};

}  // namespace engram::daemon
