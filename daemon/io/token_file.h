// The bearer token that TCP clients must present: 32 random bytes as 64 hex digits, created on first
// start in a 0600 file. A token file readable by group or others is tightened to 0600 and its token
// rotated, since it may have leaked.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace engram::daemon {

absl::StatusOr<std::string> LoadOrCreateToken(const std::string& path);

}  // namespace engram::daemon
