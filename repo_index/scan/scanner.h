// Lists the files of a workspace with their git blob ids (libgit2).
//
//   ScanOptions options;                                    // 1 MiB cap, no stat cache
//   ASSIGN_OR_RETURN(ScanResult scan, ScanWorkspace("/src/linux", options));
//   for (const ScannedFile& f : scan.files) ...             // sorted by path
//
// In a git repository: the files tracked at HEAD (and those added to the index), with the working
// tree's modifications, plus untracked files that are not ignored (.gitignore, .git/info/exclude and
// core.excludesFile, through libgit2). Files deleted in the working tree are absent. Submodules are
// listed in `submodules`, never entered. Outside a git repository the directory is walked with default
// ignore rules (dot-directories, node_modules, __pycache__, target, build, dist, .venv) and blob ids are
// computed the same way (git_odb_hash of the content, object type blob).
//
// Skipped and counted, never returned as files: binary files (a NUL byte in the first 8 KiB), files
// over `max_file_bytes`, git-LFS pointer files, symlinks (never followed; those pointing outside the root
// are counted apart), unreadable files. Paths are repository-relative, '/'-separated, valid UTF-8
// (others are skipped as `bad_path`).
//
// Blob ids: a tracked file unmodified since HEAD takes its id from the tree (through the git index,
// which also gives the right id for a staged file); a file whose (size, mtime_ns, inode) equals its
// `stat_cache` entry takes the cached id (a cache hit is trusted: the file is not read again, except
// the first 8 KiB when its language depends on content, e.g. `.h`); every other file is read and
// hashed (raw bytes: clean filters such as core.autocrlf are not applied). Thread-safety: ScanWorkspace
// may run on any thread; it opens its own git_repository and hashes on up to 8 threads of its own.
//
// `root` may be a directory inside a work tree: the enclosing repository's rules apply, only files
// under `root` are listed and paths are relative to `root`. A bare repository is FailedPrecondition.
// Cancellation is polled between phases and every few files; libgit2's status pass itself (about
// 0.4-0.8 s on a Linux-sized tree) runs to its end.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "repo_index/language.h"
#include "support/cancellation.h"

namespace engram::repo_index {

struct FileStat {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool operator==(const FileStat&) const = default;
};

struct StatCacheEntry {
  FileStat stat;
  std::string blob_id;  // 40 hex digits
};

struct ScanOptions {
  uint64_t max_file_bytes = 1u << 20;
  // Previous results keyed by path (the index's files table); may be null.
  const std::unordered_map<std::string, StatCacheEntry>* stat_cache = nullptr;
  CancellationToken cancel;
};

struct ScannedFile {
  std::string path;     // "src/net/http.c"
  std::string blob_id;  // 40 hex digits, the git blob id of the working-tree content
  FileStat stat;
  Language language = Language::kUnknown;  // kUnknown files are listed (text search), not parsed
  bool tracked = false;                    // in HEAD or the git index
};

struct SkipCounts {
  uint32_t binary = 0;
  uint32_t too_large = 0;
  uint32_t lfs_pointer = 0;
  uint32_t symlink = 0;         // symlinks whose target stays inside the root
  uint32_t symlink_escape = 0;  // symlinks pointing outside the root (or dangling)
  uint32_t unreadable = 0;
  uint32_t bad_path = 0;        // not valid UTF-8, or contains control characters
  uint32_t total() const {
    return binary + too_large + lfs_pointer + symlink + symlink_escape + unreadable + bad_path;
  }
};

struct ScanResult {
  std::string root;          // absolute, symlinks resolved
  bool is_git = false;
  std::string head_commit;   // 40 hex digits; empty when not a git repository or no commit yet
  std::string head_ref;      // "refs/heads/main"; empty when detached or not git
  std::vector<ScannedFile> files;       // sorted by path
  std::vector<std::string> submodules;  // paths, sorted
  SkipCounts skipped;
  uint32_t hashed = 0;                  // files read and hashed during this scan (not cache hits)
};

absl::StatusOr<ScanResult> ScanWorkspace(const std::string& root, const ScanOptions& options);

// What ScanWorkspace decides for one path (relative to `root`), used by incremental updates after a
// file-system event: the file as it is now, or NotFound when it is absent, ignored, skipped (binary,
// too large, LFS, symlink) or outside the root. `skip_reason` (may be null) names why a present file was
// skipped: "binary", "too_large", "lfs_pointer", "symlink", "symlink_escape", "ignored", "bad_path",
// "unreadable", "submodule" (inside a submodule or a nested repository), "outside_root" (absolute,
// "..", "." or empty components); empty when the file is simply absent. A path reached through a
// symlinked directory is "symlink" / "symlink_escape". In a git repository a path in the index is
// reported whatever the ignore rules say; other paths are checked with git_ignore_path_is_ignored.
absl::StatusOr<ScannedFile> ScanOnePath(const std::string& root, const std::string& path,
                                        const ScanOptions& options, std::string* skip_reason);

// Reads a file and computes its git blob id; Content is the bytes that were hashed.
struct FileContent {
  std::string bytes;
  std::string blob_id;
  FileStat stat;
};
absl::StatusOr<FileContent> ReadAndHash(const std::string& absolute_path, uint64_t max_file_bytes);

// git blob id of `bytes` (what `git hash-object` prints).
std::string GitBlobId(std::string_view bytes);

}  // namespace engram::repo_index
