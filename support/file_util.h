// File helpers that report failures as absl::Status naming the path.
//
// WriteFileAtomically writes to a temporary file in the same directory, fsyncs it, renames it over
// the target and fsyncs the directory: readers see the old or the new content, never a mix, even
// after a crash. Thread-compatible (no shared state).
#pragma once

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace engram {

absl::StatusOr<std::string> ReadFile(const std::string& path);

// `mode` applies to the new file (e.g. 0600 for secrets).
absl::Status WriteFileAtomically(const std::string& path, std::string_view content,
                                 mode_t mode = 0644);

// Creates `path` (and missing parents) with `mode`. An existing directory must be a real directory
// (not a symlink) owned by the current user; when `private_dir` it must also not be accessible by
// group or others (it is chmod-ed to `mode` if it is ours).
absl::Status MakeDirs(const std::string& path, mode_t mode, bool private_dir);

// errno as text: "No such file or directory (2)".
std::string ErrnoText(int err);

}  // namespace engram
