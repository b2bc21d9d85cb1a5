#include "engine/engine.h"

#include <algorithm>
#include <chrono>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/stream_decoder.h"
#include "support/status.h"

namespace engram::engine {

using tokenizer::TokenId;

struct Engine::State {
  LoadedModel loaded;
  std::shared_ptr<const gguf::File> file;
  std::unique_ptr<Model> model;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  std::optional<tokenizer::ChatTemplate> chat;  // absent when the vocabulary lacks the markers
  std::optional<tokenizer::FimTemplate> fim;
};

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Length of the longest suffix of `text` that is a proper prefix of some stop string: text that
// must be held back because the next token may complete a stop string.
size_t HeldBack(const std::string& text, const std::vector<std::string>& stops) {
  size_t hold = 0;
  for (const std::string& s : stops) {
    for (size_t len = std::min(s.size() - 1, text.size()); len > hold; --len) {
      if (text.compare(text.size() - len, len, s, 0, len) == 0) {
        hold = len;
        break;
      }
    }
  }
  return hold;
}

}  // namespace

std::string_view FinishReasonName(FinishReason r) {
  switch (r) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kContextFull: return "context";
  }
  return "unknown";
}

Engine::Engine(EngineOptions options) : options_(options), pool_(std::make_unique<ThreadPool>(options.n_threads)) {}
Engine::~Engine() = default;

std::shared_ptr<const Engine::State> Engine::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

std::optional<LoadedModel> Engine::loaded() const {
  auto s = Snapshot();
  if (!s) return std::nullopt;
  return s->loaded;
}

absl::StatusOr<LoadedModel> Engine::Load(const std::string& path) {
  const auto t0 = Clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<gguf::File> opened, gguf::File::Open(path));
  auto state = std::make_shared<State>();
  state->file = std::shared_ptr<const gguf::File>(std::move(opened));
  ASSIGN_OR_RETURN(state->model, LoadModel(state->file, pool_.get()));
  auto tok = tokenizer::Tokenizer::FromGguf(*state->file);
  if (!tok.ok()) return Annotate(tok.status(), path);
  state->tokenizer = std::move(*tok);
  if (state->tokenizer->n_vocab() > state->model->info().n_vocab) {
    return absl::InvalidArgumentError(path + ": the vocabulary has " + std::to_string(state->tokenizer->n_vocab()) +
                                      " tokens but the model's embedding only " +
                                      std::to_string(state->model->info().n_vocab));
  }
  if (auto chat = tokenizer::ChatTemplate::Create(*state->tokenizer); chat.ok()) state->chat = std::move(*chat);
  if (auto fim = tokenizer::FimTemplate::Create(*state->tokenizer); fim.ok()) state->fim = std::move(*fim);

  LoadedModel& m = state->loaded;
  m.path = path;
  m.info = state->model->info();
  for (const gguf::TensorInfo& t : state->file->tensors()) {
    m.bytes_by_type[std::string(kernels::DTypeName(t.type))] += static_cast<int64_t>(t.size_bytes);
  }
  m.context = std::min(options_.max_context, m.info.n_ctx_train > 0 ? m.info.n_ctx_train : options_.max_context);
  m.kv_type = options_.kv_type;
  m.kv_bytes_per_token = state->model->NewSequence(1, options_.kv_type)->kv_bytes_per_token();
  m.load_ms = MsSince(t0);
  LoadedModel result = m;
  std::lock_guard<std::mutex> lock(mu_);
  state_ = std::move(state);
  return result;
}

absl::StatusOr<std::vector<TokenId>> Engine::CompletionPrompt(std::string_view prompt) const {
  auto s = Snapshot();
  if (!s) return absl::FailedPreconditionError("engine: no model is loaded");
  return s->tokenizer->Encode(prompt, s->tokenizer->DefaultEncodeOptions());
}

absl::StatusOr<std::vector<TokenId>> Engine::FimPrompt(std::string_view prefix, std::string_view suffix) const {
  auto s = Snapshot();
  if (!s) return absl::FailedPreconditionError("engine: no model is loaded");
  if (!s->fim) {
    return absl::FailedPreconditionError("engine: model '" + s->loaded.path +
                                         "' has no fill-in-the-middle tokens in its vocabulary");
  }
  return s->fim->Encode(prefix, suffix);
}

absl::StatusOr<std::vector<TokenId>> Engine::ChatPrompt(std::span<const tokenizer::ChatMessage> messages,
                                                        const std::string& system_prompt) const {
  auto s = Snapshot();
  if (!s) return absl::FailedPreconditionError("engine: no model is loaded");
  if (!s->chat) {
    return absl::FailedPreconditionError("engine: model '" + s->loaded.path +
                                         "' has no chat markers in its vocabulary");
  }
  return s->chat->Encode(messages, {.system_prompt = system_prompt});
}

absl::StatusOr<GenerateResult> Engine::Generate(const GenerateRequest& req, const CancellationToken& cancel,
                                                const std::function<void(const GeneratedChunk&)>& on_chunk) {
  auto s = Snapshot();
  if (!s) return absl::FailedPreconditionError("engine: no model is loaded");
  RETURN_IF_ERROR(ValidateSamplingParams(req.sampling));
  if (req.prompt.empty()) return absl::InvalidArgumentError("engine: the prompt is empty");
  if (req.max_tokens < 0) return absl::InvalidArgumentError("engine: max_tokens must be >= 0");
  for (const std::string& stop : req.stop) {
    if (stop.empty()) return absl::InvalidArgumentError("engine: stop strings must not be empty");
  }
  const int64_t n_vocab = s->model->info().n_vocab;
  const int64_t context = s->loaded.context;
  if (static_cast<int64_t>(req.prompt.size()) >= context) {
    return absl::OutOfRangeError("engine: the prompt has " + std::to_string(req.prompt.size()) +
                                 " tokens; the context holds " + std::to_string(context));
  }

  // One generation at a time; waiters give up when cancelled.
  GenerateResult result;
  result.prompt_tokens = static_cast<int32_t>(req.prompt.size());
  std::unique_lock<std::timed_mutex> turn(generate_mu_, std::defer_lock);
  while (!turn.try_lock_for(std::chrono::milliseconds(50))) {
    if (cancel.cancelled()) {
      result.reason = FinishReason::kCancelled;
      return result;
    }
  }
  auto seq = s->model->NewSequence(context, options_.kv_type);
  std::vector<float> logits(static_cast<size_t>(n_vocab));
  auto t0 = Clock::now();
  RETURN_IF_ERROR(s->model->Forward(req.prompt, seq.get(), false, logits.data()));
  result.prefill_ms = MsSince(t0);

  Sampler sampler(req.sampling, n_vocab);
  tokenizer::StreamDecoder decoder(*s->tokenizer);
  std::vector<TokenId> history(req.prompt.begin(), req.prompt.end());
  std::string pending;  // decoded text not yet sent (may begin a stop string)
  t0 = Clock::now();
  result.reason = FinishReason::kLength;
  for (int32_t i = 0; i < req.max_tokens; ++i) {
    if (cancel.cancelled()) {
      result.reason = FinishReason::kCancelled;
      break;
    }
    SampledToken tok = sampler.Sample(logits.data(), history);
    history.push_back(tok.token);
    ++result.completion_tokens;
    GeneratedChunk chunk{.token = tok.token, .logprob = tok.logprob, .top = std::move(tok.top)};
    if (s->tokenizer->IsEndOfGeneration(tok.token)) {
      chunk.text = pending + decoder.Finish();
      pending.clear();
      on_chunk(chunk);
      result.reason = FinishReason::kStop;
      break;
    }
    pending += decoder.Push(tok.token);
    size_t stop_at = std::string::npos;
    for (const std::string& stop : req.stop) stop_at = std::min(stop_at, pending.find(stop));
    if (stop_at != std::string::npos) {
      chunk.text = pending.substr(0, stop_at);
      on_chunk(chunk);
      result.reason = FinishReason::kStop;
      pending.clear();
      break;
    }
    const size_t hold = HeldBack(pending, req.stop);
    chunk.text = pending.substr(0, pending.size() - hold);
    pending.erase(0, pending.size() - hold);
    on_chunk(chunk);
    if (seq->size() + 1 >= context) {
      result.reason = FinishReason::kContextFull;
      break;
    }
    if (i + 1 < req.max_tokens) {
      RETURN_IF_ERROR(s->model->Forward(std::span<const TokenId>(&history.back(), 1), seq.get(), false, logits.data()));
    }
  }
  if (result.reason != FinishReason::kStop) {
    std::string rest = pending + decoder.Finish();
    if (!rest.empty()) on_chunk(GeneratedChunk{.text = rest, .token = -1});
  }
  result.decode_ms = MsSince(t0);
  return result;
}

}  // namespace engram::engine
