// The interface every architecture implements (deepseek2 now, deepseek4 next). The engine facade
// and the tests drive models only through it.
//
//   ASSIGN_OR_RETURN(auto model, LoadModel(file, &pool));
//   auto seq = model->NewSequence(4096);
//   std::vector<float> logits(n * model->info().n_vocab);
//   RETURN_IF_ERROR(model->Forward(tokens, seq.get(), /*all_logits=*/true, logits.data()));
//
// Forward appends `tokens` to the sequence at positions [seq->size(), seq->size() + n): batch prefill,
// chunked prefill and one-token decode are the same call. A Model is immutable after loading and may
// step different sequences from different threads only if they use different thread pools; one
// sequence is stepped by one caller at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kv_cache/latent_cache.h"
#include "support/thread_pool.h"

namespace engram::engine {

struct ModelInfo {
  std::string architecture;  // GGUF general.architecture
  std::string name;          // general.name, may be empty
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_ctx_train = 0;
  int64_t n_params = 0;       // elements of all tensors
  int64_t n_bytes = 0;        // bytes of all tensors
};

// Per-sequence state (KV cache and the like) of one architecture.
class SequenceState {
 public:
  virtual ~SequenceState() = default;
  virtual int64_t size() const = 0;        // tokens processed
  virtual int64_t max_tokens() const = 0;
  virtual void Truncate(int64_t n) = 0;    // forget tokens from n on
  virtual int64_t kv_bytes_per_token() const = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelInfo& info() const = 0;
  // A sequence holding up to max_tokens, its KV cache stored as `kv` (values rounded to that type).
  virtual std::unique_ptr<SequenceState> NewSequence(int64_t max_tokens, KvType kv = KvType::kF32) const = 0;
  // logits: [n, n_vocab] when all_logits, else [1, n_vocab] for the last token.
  // Errors: INVALID_ARGUMENT for a token id out of range or a foreign state; OUT_OF_RANGE when the
  // sequence would exceed max_tokens. On error the sequence is unchanged.
  virtual absl::Status Forward(std::span<const int32_t> tokens, SequenceState* seq, bool all_logits,
                               float* logits) const = 0;
};

// Picks the architecture from general.architecture. `pool` must outlive the model.
absl::StatusOr<std::unique_ptr<Model>> LoadModel(std::shared_ptr<const gguf::File> file, ThreadPool* pool);

}  // namespace engram::engine
