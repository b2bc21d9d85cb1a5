// The one adapter between engram and libgit2: library initialisation, owning pointers for libgit2
// objects, and libgit2 errors turned into absl::Status.
//
//   EnsureGitInitialized();                                  // once per process; cheap afterwards
//   git_repository* raw = nullptr;
//   if (git_repository_open_ext(&raw, path.c_str(), 0, nullptr) != 0) {
//     return GitError("git: cannot open repository '" + path + "'");
//   }
//   GitRepositoryPtr repo(raw);                              // git_repository_free on scope exit
//
// GitError must be called right after the failing libgit2 call, on the same thread: libgit2 keeps
// its last error per thread. Everything here is thread-safe; the objects behind the pointers follow
// libgit2's rules (one git_repository per thread, never shared without a lock).
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace engram::repo_index {

// Calls git_libgit2_init() once per process (thread-safe). libgit2 is never shut down: the
// process-wide state lives until exit, as other threads may still hold repositories.
void EnsureGitInitialized();

// The last libgit2 error of this thread as a Status: "<what>: <libgit2 message>". `code` is the
// libgit2 return value and picks the status code (GIT_ENOTFOUND → NotFound, GIT_ELOCKED →
// Unavailable, GIT_EUSER → Cancelled, ...). `what` names the repository or object, lowercase.
absl::Status GitError(std::string_view what, int code = -1);

// 40 lowercase hex digits.
std::string OidToHex(const git_oid& oid);

struct GitDeleter {
  void operator()(git_repository* p) const { git_repository_free(p); }
  void operator()(git_index* p) const { git_index_free(p); }
  void operator()(git_reference* p) const { git_reference_free(p); }
  void operator()(git_object* p) const { git_object_free(p); }
  void operator()(git_commit* p) const { git_commit_free(p); }
  void operator()(git_tree* p) const { git_tree_free(p); }
  void operator()(git_blob* p) const { git_blob_free(p); }
  void operator()(git_tree_entry* p) const { git_tree_entry_free(p); }
  void operator()(git_status_list* p) const { git_status_list_free(p); }
  void operator()(git_revwalk* p) const { git_revwalk_free(p); }
  void operator()(git_diff* p) const { git_diff_free(p); }
  void operator()(git_diff_stats* p) const { git_diff_stats_free(p); }
  void operator()(git_patch* p) const { git_patch_free(p); }
  void operator()(git_odb* p) const { git_odb_free(p); }
};

using GitRepositoryPtr = std::unique_ptr<git_repository, GitDeleter>;
using GitIndexPtr = std::unique_ptr<git_index, GitDeleter>;
using GitReferencePtr = std::unique_ptr<git_reference, GitDeleter>;
using GitObjectPtr = std::unique_ptr<git_object, GitDeleter>;
using GitCommitPtr = std::unique_ptr<git_commit, GitDeleter>;
using GitTreePtr = std::unique_ptr<git_tree, GitDeleter>;
using GitBlobPtr = std::unique_ptr<git_blob, GitDeleter>;
using GitTreeEntryPtr = std::unique_ptr<git_tree_entry, GitDeleter>;
using GitStatusListPtr = std::unique_ptr<git_status_list, GitDeleter>;
using GitRevwalkPtr = std::unique_ptr<git_revwalk, GitDeleter>;
using GitDiffPtr = std::unique_ptr<git_diff, GitDeleter>;
using GitDiffStatsPtr = std::unique_ptr<git_diff_stats, GitDeleter>;
using GitPatchPtr = std::unique_ptr<git_patch, GitDeleter>;
using GitOdbPtr = std::unique_ptr<git_odb, GitDeleter>;

}  // namespace engram::repo_index
