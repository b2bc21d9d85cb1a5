// The engine facade: load a model file, build prompts (plain, fill-in-the-middle, chat), and
// generate token by token with sampling, stop strings and cancellation. This is what the daemon
// calls; it knows nothing of transports.
//
//   Engine engine({.n_threads = 2});
//   ASSIGN_OR_RETURN(LoadedModel m, engine.Load("/models/coder.gguf"));
//   ASSIGN_OR_RETURN(auto prompt, engine.CompletionPrompt("def add(a, b):", ""));
//   ASSIGN_OR_RETURN(GenerateResult r, engine.Generate({.prompt = prompt, .max_tokens = 64}, token,
//                                                      [](const GeneratedChunk& c) { print(c.text); }));
//
// Thread-safety: all methods may be called from any thread. Load() swaps the model atomically (a
// generation in flight keeps the model it started with). Generations run one at a time (they share
// the compute thread pool); a second caller waits, checking its cancellation token.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model/model.h"
#include "engine/sampling/sampler.h"
#include "engine/tokenizer/chat_template.h"
#include "support/cancellation.h"
#include "support/thread_pool.h"

namespace engram::engine {

struct EngineOptions {
  int n_threads = 0;           // compute threads (0: all cores)
  int64_t max_context = 8192;  // per-sequence KV capacity (capped at the model's training context)
  KvType kv_type = KvType::kF32;
};

struct LoadedModel {
  std::string path;
  ModelInfo info;
  std::map<std::string, int64_t> bytes_by_type;  // quantization mix: "q4_K" -> bytes of such tensors
  int64_t context = 0;                           // tokens per sequence
  KvType kv_type = KvType::kF32;
  int64_t kv_bytes_per_token = 0;
  double load_ms = 0.0;
};

struct GenerateRequest {
  std::vector<tokenizer::TokenId> prompt;
  SamplingParams sampling;
  int32_t max_tokens = 256;
  std::vector<std::string> stop;  // generation ends before the first occurrence of any of these
};

struct GeneratedChunk {
  // token is -1 for a final text-only flush (held-back bytes at the end of a generation).
  std::string text;  // valid UTF-8 (may be empty while a character or a possible stop string is pending)
  tokenizer::TokenId token = 0;
  float logprob = 0.0f;
  std::vector<TokenLogprob> top;
};

enum class FinishReason { kStop, kLength, kCancelled, kContextFull };
std::string_view FinishReasonName(FinishReason r);  // "stop", "length", "cancelled", "context"

struct GenerateResult {
  FinishReason reason = FinishReason::kStop;
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
  double prefill_ms = 0.0;
  double decode_ms = 0.0;
};

class Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();

  // Opens, validates and loads `path`. On error the previously loaded model (if any) stays.
  absl::StatusOr<LoadedModel> Load(const std::string& path);
  std::optional<LoadedModel> loaded() const;

  // Prompt builders. FAILED_PRECONDITION without a model; FIM needs the vocabulary's FIM tokens.
  absl::StatusOr<std::vector<tokenizer::TokenId>> CompletionPrompt(std::string_view prompt) const;
  absl::StatusOr<std::vector<tokenizer::TokenId>> FimPrompt(std::string_view prefix, std::string_view suffix) const;
  absl::StatusOr<std::vector<tokenizer::TokenId>> ChatPrompt(std::span<const tokenizer::ChatMessage> messages,
                                                             const std::string& system_prompt) const;

  // Prefills the prompt and decodes until EOS, a stop string, max_tokens, a full context or
  // cancellation (which is not an error: reason kCancelled). `on_chunk` runs on the calling thread.
  absl::StatusOr<GenerateResult> Generate(const GenerateRequest& request, const CancellationToken& cancel,
                                          const std::function<void(const GeneratedChunk&)>& on_chunk);

 private:
  struct State;
  std::shared_ptr<const State> Snapshot() const;

  EngineOptions options_;
  std::unique_ptr<ThreadPool> pool_;
  mutable std::mutex mu_;
  std::shared_ptr<const State> state_;  // guarded by mu_
  std::timed_mutex generate_mu_;        // one generation at a time
};

}  // namespace engram::engine
