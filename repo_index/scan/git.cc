#include "repo_index/scan/git.h"

#include <mutex>

namespace engram::repo_index {

void EnsureGitInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

absl::Status GitError(std::string_view what, int code) {
  const git_error* error = git_error_last();
  std::string message(what);
  message += ": ";
  message +=
      (error != nullptr && error->message != nullptr) ? error->message : "unknown libgit2 error";
  switch (code) {
    case GIT_ENOTFOUND:
      return absl::NotFoundError(message);
    case GIT_EEXISTS:
      return absl::AlreadyExistsError(message);
    case GIT_EAMBIGUOUS:
    case GIT_EINVALIDSPEC:
    case GIT_EINVALID:
      return absl::InvalidArgumentError(message);
    case GIT_ELOCKED:
      return absl::UnavailableError(message);
    case GIT_EUSER:
      return absl::CancelledError(message);
    case GIT_EUNBORNBRANCH:
    case GIT_EBAREREPO:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

std::string OidToHex(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof(hex), &oid);
  return std::string(hex, GIT_OID_HEXSZ);
}

}  // namespace engram::repo_index
