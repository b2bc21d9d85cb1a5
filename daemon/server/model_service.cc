#include "daemon/server/model_service.h"

#include <deque>
#include <mutex>
#include <thread>

#include "daemon/marshal/model_marshal.h"
#include "daemon/marshal/status_marshal.h"
#include "daemon/server/call_info.h"
#include "daemon/server/queued_stream.h"
#include "daemon/state.h"
#include "support/logging.h"

namespace engram::daemon {
namespace {

// Streams one generation: the engine runs on the worker thread, one event per token, then the
// summary.
class GenerationStream final : public QueuedStream<v1::CompletionEvent> {
 public:
  using Builder = std::function<absl::StatusOr<engine::GenerateRequest>()>;

  GenerationStream(engine::Engine* engine, std::unique_ptr<Session> session, Builder build)
      : QueuedStream(std::move(session)), engine_(engine) {
    Start([this, build = std::move(build)] { return Run(build); });
  }

 private:
  absl::Status Run(const Builder& build) {
    auto request = build();
    if (!request.ok()) return request.status();
    auto result = engine_->Generate(*request, session().token(), [this](const engine::GeneratedChunk& chunk) {
      v1::CompletionEvent event;
      marshal::ToProto(chunk, event.mutable_token());
      Enqueue(std::move(event));
    });
    if (!result.ok()) return result.status();
    v1::CompletionEvent event;
    marshal::ToProto(*result, event.mutable_summary());
    Enqueue(std::move(event));
    if (result->reason == engine::FinishReason::kCancelled) return absl::CancelledError("generation cancelled");
    return absl::OkStatus();
  }

  engine::Engine* engine_;
};

}  // namespace

grpc::ServerUnaryReactor* ModelService::Load(grpc::CallbackServerContext* ctx, const v1::LoadModelRequest* request,
                                             v1::LoadModelResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Model/Load"));
  if (!session.ok()) {
    reactor->Finish(marshal::ToGrpcStatus(session.status()));
    return reactor;
  }
  const std::string path = request->path();
  if (path.empty() || path[0] != '/' || path.size() > 4096) {
    reactor->Finish(marshal::ToGrpcStatus(absl::InvalidArgumentError("model: path must be an absolute file path")));
    return reactor;
  }
  // Loading maps and validates the whole file: do it off gRPC's threads.
  std::thread([this, reactor, response, path, s = std::move(*session)] {
    auto loaded = engine_->Load(path);
    if (!loaded.ok()) {
      GetLogger("model")->warn("load failed path={} error=\"{}\"", path, std::string(loaded.status().message()));
      reactor->Finish(marshal::ToGrpcStatus(loaded.status()));
      return;
    }
    marshal::ToProto(*loaded, response->mutable_model());
    int64_t rss = 0, peak = 0;
    ReadMemoryUsage(&rss, &peak);
    response->mutable_model()->set_rss_bytes(rss);
    GetLogger("model")->info("loaded path={} arch={} params={} ms={:.0f}", path, loaded->info.architecture,
                             loaded->info.n_params, loaded->load_ms);
    reactor->Finish(grpc::Status::OK);
  }).detach();
  return reactor;
}

grpc::ServerWriteReactor<v1::CompletionEvent>* ModelService::Complete(grpc::CallbackServerContext* ctx,
                                                                      const v1::CompleteRequest* request) {
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Model/Complete"));
  if (!session.ok()) return FailedStream<v1::CompletionEvent>(session.status());
  v1::CompleteRequest req = *request;  // the worker outlives nothing, but keep it self-contained
  return new GenerationStream(engine_, std::move(*session), [this, req]() -> absl::StatusOr<engine::GenerateRequest> {
    engine::GenerateRequest out;
    if (auto s = marshal::FillGenerationOptions(req.sampling(), req.max_tokens(), req.stop(), &out); !s.ok()) return s;
    auto prompt = req.has_suffix() ? engine_->FimPrompt(req.prompt(), req.suffix()) : engine_->CompletionPrompt(req.prompt());
    if (!prompt.ok()) return prompt.status();
    out.prompt = std::move(*prompt);
    return out;
  });
}

grpc::ServerWriteReactor<v1::CompletionEvent>* ModelService::Chat(grpc::CallbackServerContext* ctx,
                                                                  const v1::ChatRequest* request) {
  auto session = sessions_->Begin(CallInfoFrom(*ctx, "/engram.v1.Model/Chat"));
  if (!session.ok()) return FailedStream<v1::CompletionEvent>(session.status());
  v1::ChatRequest req = *request;
  return new GenerationStream(engine_, std::move(*session), [this, req]() -> absl::StatusOr<engine::GenerateRequest> {
    engine::GenerateRequest out;
    if (auto s = marshal::FillGenerationOptions(req.sampling(), req.max_tokens(), req.stop(), &out); !s.ok()) return s;
    auto messages = marshal::FromProto(req.messages());
    if (!messages.ok()) return messages.status();
    auto prompt = engine_->ChatPrompt(*messages, req.system_prompt());
    if (!prompt.ok()) return prompt.status();
    out.prompt = std::move(*prompt);
    return out;
  });
}

}  // namespace engram::daemon
