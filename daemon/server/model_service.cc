#include "daemon/server/model_service.h"

#include <deque>
#include <mutex>
#include <thread>

#include "daemon/marshal/model_marshal.h"
#include "daemon/marshal/status_marshal.h"
#include "daemon/server/call_info.h"
#include "daemon/state.h"
#include "support/logging.h"

namespace engram::daemon {
namespace {

// Streams one generation: the engine runs on `worker_`, events queue up and are written one at a
// time (gRPC allows a single outstanding write per stream).
class GenerationStream final : public grpc::ServerWriteReactor<v1::CompletionEvent> {
 public:
  using Builder = std::function<absl::StatusOr<engine::GenerateRequest>()>;

  GenerationStream(engine::Engine* engine, std::unique_ptr<Session> session, Builder build)
      : engine_(engine), session_(std::move(session)) {
    worker_ = std::thread([this, build = std::move(build)] { Run(build); });
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {  // the client is gone: stop generating, drop what is queued
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
  void Run(const Builder& build) {
    absl::Status status;
    auto request = build();
    if (!request.ok()) {
      status = request.status();
    } else {
      auto result = engine_->Generate(*request, session_->token(), [this](const engine::GeneratedChunk& chunk) {
        v1::CompletionEvent event;
        marshal::ToProto(chunk, event.mutable_token());
        Enqueue(std::move(event));
      });
      if (!result.ok()) {
        status = result.status();
      } else {
        v1::CompletionEvent event;
        marshal::ToProto(*result, event.mutable_summary());
        Enqueue(std::move(event));
        if (result->reason == engine::FinishReason::kCancelled) {
          status = absl::CancelledError("generation cancelled");
        }
      }
    }
    std::unique_lock<std::mutex> lock(mu_);
    finished_ = true;
    final_status_ = marshal::ToGrpcStatus(status);
    Pump(std::move(lock));
  }

  void Enqueue(v1::CompletionEvent event) {
    std::unique_lock<std::mutex> lock(mu_);
    if (broken_) return;
    queue_.push_back(std::move(event));
    Pump(std::move(lock));
  }

  // Starts the next write, or finishes once the generation is over and the queue is drained.
  // Called with mu_ held; releases it before calling into gRPC.
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

  engine::Engine* engine_;
  std::unique_ptr<Session> session_;
  std::thread worker_;
  std::mutex mu_;
  std::deque<v1::CompletionEvent> queue_;  // guarded by mu_
  v1::CompletionEvent current_;            // the event being written (owned until OnWriteDone)
  bool writing_ = false;                   // guarded by mu_
  bool finished_ = false;                  // guarded by mu_
  bool finish_started_ = false;            // guarded by mu_
  bool broken_ = false;                    // guarded by mu_
  grpc::Status final_status_;              // guarded by mu_
};

// A stream that fails before any work (e.g. authorization).
grpc::ServerWriteReactor<v1::CompletionEvent>* FailedStream(const absl::Status& status) {
  class Failed final : public grpc::ServerWriteReactor<v1::CompletionEvent> {
   public:
    explicit Failed(const grpc::Status& s) { Finish(s); }
    void OnDone() override { delete this; }
  };
  return new Failed(marshal::ToGrpcStatus(status));
}

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
  if (!session.ok()) return FailedStream(session.status());
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
  if (!session.ok()) return FailedStream(session.status());
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
