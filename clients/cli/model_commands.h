// `engram model load`, `engram complete`, `engram chat`.
#pragma once

#include <string>
#include <vector>

#include "clients/cli/connection.h"

namespace engram::cli {

struct GenerationFlags {
  int max_tokens = 0;  // 0: the daemon's default (256)
  float temperature = 0.0f;
  float top_p = 0.0f;
  int top_k = 0;
  uint64_t seed = 0;
  std::vector<std::string> stop;
};

int RunModelLoad(const Connection& conn, const std::string& path, bool json);
// `suffix_set`: fill-in-the-middle with `suffix` after the cursor.
int RunComplete(const Connection& conn, const std::string& prompt, bool suffix_set, const std::string& suffix,
                const GenerationFlags& flags, bool json);
int RunChat(const Connection& conn, const std::vector<std::string>& user_messages, const std::string& system,
            const GenerationFlags& flags, bool json);

}  // namespace engram::cli
