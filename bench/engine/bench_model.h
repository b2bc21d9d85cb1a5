// The benchmark model of bench/engine: a scaled-down DeepSeek-V3 shape (issue "Engine: deepseek2"),
// random weights, written by our GGUF writer. Cached on disk between runs (same file name = same
// configuration and seed).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "support/thread_pool.h"

namespace engram::bench {

enum class Mix { kQ8_0, kQ4_K_M };

// Writes (or reuses) `<dir>/bench-v3-<mix>.gguf` and returns its path.
absl::StatusOr<std::string> MakeBenchModel(const std::string& dir, Mix mix, ThreadPool* pool, bool* reused);

}  // namespace engram::bench
