// Churn and co-change from the first-parent history.
//
// The tree diff is our own: libgit2's git_diff_tree_to_tree expands every subtree, so it costs
// O(files in the repository) per commit (libgit2 PR #6863, unmerged in 1.5) — about 45 ms a commit
// on the Linux tree. Walking both trees in git's entry order and skipping subtrees with equal ids
// costs O(changed paths × depth). Line counts need both blobs inflated and diffed
// (git_patch_from_blobs), so they are computed only for commits that also count for co-change (at
// most `max_files_per_commit` files); larger commits add to a file's commit count and last change
// only.
#include "repo_index/scan/history.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "repo_index/scan/git.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

struct ChurnAccumulator {
  uint32_t commits = 0;
  uint64_t lines_added = 0;
  uint64_t lines_deleted = 0;
  int64_t last_change_time = 0;
  git_oid last_commit{};
};

class HistoryBuilder {
 public:
  uint32_t Intern(const std::string& path) {
    auto [it, inserted] = ids_.try_emplace(path, static_cast<uint32_t>(paths_.size()));
    if (inserted) {
      paths_.push_back(it->first);
      churn_.emplace_back();
    }
    return it->second;
  }

  ChurnAccumulator& churn(uint32_t id) { return churn_[id]; }

  void AddPairs(std::vector<uint32_t>& ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (size_t i = 0; i < ids.size(); ++i) {
      for (size_t j = i + 1; j < ids.size(); ++j) {
        uint32_t a = ids[i], b = ids[j];
        if (paths_[b] < paths_[a]) std::swap(a, b);
        ++pairs_[(static_cast<uint64_t>(a) << 32) | b];
      }
    }
  }

  void Finish(History& history) const {
    history.files.reserve(paths_.size());
    for (size_t id = 0; id < paths_.size(); ++id) {
      const ChurnAccumulator& c = churn_[id];
      history.files.push_back(FileChurn{.path = paths_[id],
                                        .commits = c.commits,
                                        .lines_added = c.lines_added,
                                        .lines_deleted = c.lines_deleted,
                                        .last_change_time = c.last_change_time,
                                        .last_commit = OidToHex(c.last_commit)});
    }
    std::sort(history.files.begin(), history.files.end(),
              [](const FileChurn& x, const FileChurn& y) { return x.path < y.path; });
    history.pairs.reserve(pairs_.size());
    for (const auto& [key, count] : pairs_) {
      history.pairs.push_back(CoChange{
          .path_a = paths_[key >> 32], .path_b = paths_[key & 0xffffffffu], .count = count});
    }
    std::sort(history.pairs.begin(), history.pairs.end(), [](const CoChange& x, const CoChange& y) {
      return x.path_a != y.path_a ? x.path_a < y.path_a : x.path_b < y.path_b;
    });
  }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> paths_;                // by id
  std::vector<ChurnAccumulator> churn_;           // by id
  std::unordered_map<uint64_t, uint32_t> pairs_;  // (id_a << 32 | id_b) → commits
};

// A file whose blob changed between two trees; a null id is a missing side.
struct FileChange {
  std::string path;
  git_oid old_id{};
  git_oid new_id{};
  bool old_present = false;
  bool new_present = false;
};

bool IsTreeEntry(const git_tree_entry* entry) {
  return git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE;
}

// git's order of tree entries: by name, a tree's name compared as if it ended with '/'.
int CompareEntries(const git_tree_entry* a, const git_tree_entry* b) {
  const char* name_a = git_tree_entry_name(a);
  const char* name_b = git_tree_entry_name(b);
  size_t len_a = strlen(name_a), len_b = strlen(name_b);
  size_t common = std::min(len_a, len_b);
  int cmp = memcmp(name_a, name_b, common);
  if (cmp != 0) return cmp;
  unsigned char next_a =
      len_a > common ? static_cast<unsigned char>(name_a[common]) : (IsTreeEntry(a) ? '/' : '\0');
  unsigned char next_b =
      len_b > common ? static_cast<unsigned char>(name_b[common]) : (IsTreeEntry(b) ? '/' : '\0');
  return static_cast<int>(next_a) - static_cast<int>(next_b);
}

class TreeDiffer {
 public:
  explicit TreeDiffer(git_repository* repo) : repo_(repo) {}

  // Appends to `out` the files that differ between `old_tree` and `new_tree` (either may be null).
  // Submodule entries are ignored.
  absl::Status Diff(const git_tree* old_tree, const git_tree* new_tree, std::string& prefix,
                    std::vector<FileChange>& out) {
    size_t old_count = old_tree ? git_tree_entrycount(old_tree) : 0;
    size_t new_count = new_tree ? git_tree_entrycount(new_tree) : 0;
    size_t i = 0, j = 0;
    while (i < old_count || j < new_count) {
      const git_tree_entry* old_entry =
          i < old_count ? git_tree_entry_byindex(old_tree, i) : nullptr;
      const git_tree_entry* new_entry =
          j < new_count ? git_tree_entry_byindex(new_tree, j) : nullptr;
      int cmp = old_entry == nullptr   ? 1
                : new_entry == nullptr ? -1
                                       : CompareEntries(old_entry, new_entry);
      if (cmp < 0) {
        RETURN_IF_ERROR(Side(old_entry, /*is_old=*/true, prefix, out));
        ++i;
      } else if (cmp > 0) {
        RETURN_IF_ERROR(Side(new_entry, /*is_old=*/false, prefix, out));
        ++j;
      } else {
        ++i;
        ++j;
        if (git_oid_equal(git_tree_entry_id(old_entry), git_tree_entry_id(new_entry)) &&
            git_tree_entry_filemode(old_entry) == git_tree_entry_filemode(new_entry)) {
          continue;  // identical file or subtree
        }
        if (IsTreeEntry(old_entry)) {  // both trees (the order keys a tree apart from a file)
          ASSIGN_OR_RETURN(GitTreePtr old_sub, Lookup(old_entry, prefix));
          ASSIGN_OR_RETURN(GitTreePtr new_sub, Lookup(new_entry, prefix));
          RETURN_IF_ERROR(Recurse(old_sub.get(), new_sub.get(), old_entry, prefix, out));
          continue;
        }
        bool old_file = git_tree_entry_filemode(old_entry) != GIT_FILEMODE_COMMIT;
        bool new_file = git_tree_entry_filemode(new_entry) != GIT_FILEMODE_COMMIT;
        if (!old_file && !new_file) continue;
        FileChange change{.path = prefix + git_tree_entry_name(old_entry)};
        if (old_file) {
          change.old_present = true;
          change.old_id = *git_tree_entry_id(old_entry);
        }
        if (new_file) {
          change.new_present = true;
          change.new_id = *git_tree_entry_id(new_entry);
        }
        out.push_back(std::move(change));
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<GitTreePtr> Lookup(const git_tree_entry* entry, const std::string& prefix) {
    git_tree* raw = nullptr;
    int rc = git_tree_lookup(&raw, repo_, git_tree_entry_id(entry));
    if (rc != 0) {
      return GitError("git: cannot read tree '" + prefix + git_tree_entry_name(entry) + "'", rc);
    }
    return GitTreePtr(raw);
  }

  absl::Status Recurse(const git_tree* old_sub, const git_tree* new_sub,
                       const git_tree_entry* entry, std::string& prefix,
                       std::vector<FileChange>& out) {
    size_t mark = prefix.size();
    prefix += git_tree_entry_name(entry);
    prefix += '/';
    absl::Status status = Diff(old_sub, new_sub, prefix, out);
    prefix.resize(mark);
    return status;
  }

  // An entry present on one side only: a file added or deleted, or a whole subtree.
  absl::Status Side(const git_tree_entry* entry, bool is_old, std::string& prefix,
                    std::vector<FileChange>& out) {
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_COMMIT) return absl::OkStatus();
    if (mode == GIT_FILEMODE_TREE) {
      ASSIGN_OR_RETURN(GitTreePtr sub, Lookup(entry, prefix));
      return is_old ? Recurse(sub.get(), nullptr, entry, prefix, out)
                    : Recurse(nullptr, sub.get(), entry, prefix, out);
    }
    FileChange change{.path = prefix + git_tree_entry_name(entry)};
    (is_old ? change.old_present : change.new_present) = true;
    (is_old ? change.old_id : change.new_id) = *git_tree_entry_id(entry);
    out.push_back(std::move(change));
    return absl::OkStatus();
  }

  git_repository* repo_;
};

absl::StatusOr<GitBlobPtr> LookupBlob(git_repository* repo, const git_oid& id,
                                      const std::string& path) {
  git_blob* raw = nullptr;
  int rc = git_blob_lookup(&raw, repo, &id);
  if (rc != 0) return GitError("git: cannot read blob " + OidToHex(id) + " of '" + path + "'", rc);
  return GitBlobPtr(raw);
}

// Lines added and deleted between two versions of a file (a missing side is empty); binary files
// and blobs over 8 MiB: 0, 0.
absl::Status CountLines(git_repository* repo, const FileChange& change,
                        const git_diff_options& options, size_t& added, size_t& deleted) {
  GitBlobPtr old_blob, new_blob;
  if (change.old_present) {
    ASSIGN_OR_RETURN(old_blob, LookupBlob(repo, change.old_id, change.path));
  }
  if (change.new_present) {
    ASSIGN_OR_RETURN(new_blob, LookupBlob(repo, change.new_id, change.path));
  }
  added = deleted = 0;
  constexpr git_object_size_t kMaxDiffBytes = 8 << 20;  // generated files; xdiff is superlinear
  if ((old_blob && git_blob_rawsize(old_blob.get()) > kMaxDiffBytes) ||
      (new_blob && git_blob_rawsize(new_blob.get()) > kMaxDiffBytes)) {
    return absl::OkStatus();
  }
  git_patch* raw_patch = nullptr;
  int rc = git_patch_from_blobs(&raw_patch, old_blob.get(), change.path.c_str(), new_blob.get(),
                                change.path.c_str(), &options);
  if (rc != 0) return GitError("git: cannot diff '" + change.path + "'", rc);
  if (raw_patch == nullptr) return absl::OkStatus();
  GitPatchPtr patch(raw_patch);
  size_t context = 0;
  rc = git_patch_line_stats(&context, &added, &deleted, raw_patch);
  if (rc != 0) return GitError("git: cannot count the lines changed in '" + change.path + "'", rc);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<History> ReadHistory(const std::string& root, const HistoryOptions& options) {
  History history;
  EnsureGitInitialized();
  git_repository* raw_repo = nullptr;
  int rc = git_repository_open_ext(&raw_repo, root.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return history;
  if (rc != 0) return GitError("git: cannot open the repository containing '" + root + "'", rc);
  GitRepositoryPtr repo(raw_repo);

  git_reference* raw_head = nullptr;
  rc = git_repository_head(&raw_head, raw_repo);
  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) return history;
  if (rc != 0) return GitError("git: cannot read HEAD of '" + root + "'", rc);
  GitReferencePtr head(raw_head);
  git_object* raw_head_commit = nullptr;
  rc = git_reference_peel(&raw_head_commit, raw_head, GIT_OBJECT_COMMIT);
  if (rc != 0) return GitError("git: cannot resolve HEAD of '" + root + "' to a commit", rc);
  GitObjectPtr head_commit(raw_head_commit);
  const git_oid head_id = *git_object_id(raw_head_commit);
  history.head_commit = OidToHex(head_id);

  git_revwalk* raw_walk = nullptr;
  rc = git_revwalk_new(&raw_walk, raw_repo);
  if (rc != 0) return GitError("git: cannot walk the history of '" + root + "'", rc);
  GitRevwalkPtr walk(raw_walk);
  git_revwalk_simplify_first_parent(raw_walk);
  rc = git_revwalk_push(raw_walk, &head_id);
  if (rc != 0) return GitError("git: cannot walk from HEAD " + history.head_commit, rc);

  git_diff_options diff_options;
  git_diff_options_init(&diff_options, GIT_DIFF_OPTIONS_VERSION);
  diff_options.context_lines = 0;
  diff_options.interhunk_lines = 0;

  HistoryBuilder builder;
  TreeDiffer differ(raw_repo);
  std::string prefix;
  std::vector<FileChange> changes;
  std::vector<uint32_t> commit_files;
  git_oid oid;
  while (history.commits_walked < options.max_commits) {
    if (options.cancel.cancelled()) {
      return absl::CancelledError("history: reading the history of '" + root + "' cancelled");
    }
    rc = git_revwalk_next(&oid, raw_walk);
    if (rc == GIT_ITEROVER) break;
    if (rc != 0) return GitError("git: cannot walk the history of '" + root + "'", rc);
    const std::string commit_hex = OidToHex(oid);
    git_commit* raw_commit = nullptr;
    rc = git_commit_lookup(&raw_commit, raw_repo, &oid);
    if (rc != 0) return GitError("git: cannot read commit " + commit_hex, rc);
    GitCommitPtr commit(raw_commit);
    git_tree* raw_tree = nullptr;
    rc = git_commit_tree(&raw_tree, raw_commit);
    if (rc != 0) return GitError("git: cannot read the tree of commit " + commit_hex, rc);
    GitTreePtr tree(raw_tree);
    GitTreePtr parent_tree;
    if (git_commit_parentcount(raw_commit) > 0) {
      git_commit* raw_parent = nullptr;
      rc = git_commit_parent(&raw_parent, raw_commit, 0);
      if (rc != 0) return GitError("git: cannot read the first parent of commit " + commit_hex, rc);
      GitCommitPtr parent(raw_parent);
      git_tree* raw_parent_tree = nullptr;
      rc = git_commit_tree(&raw_parent_tree, raw_parent);
      if (rc != 0) return GitError("git: cannot read the parent tree of commit " + commit_hex, rc);
      parent_tree.reset(raw_parent_tree);
    }
    changes.clear();
    RETURN_IF_ERROR(Annotate(differ.Diff(parent_tree.get(), raw_tree, prefix, changes),
                             "history: commit " + commit_hex));
    ++history.commits_walked;

    const int64_t time = static_cast<int64_t>(git_commit_time(raw_commit));
    const bool small = changes.size() <= options.max_files_per_commit;
    commit_files.clear();
    for (const FileChange& change : changes) {
      uint32_t id = builder.Intern(change.path);
      commit_files.push_back(id);
      ChurnAccumulator& churn = builder.churn(id);
      if (churn.commits++ == 0) {
        churn.last_change_time = time;  // newest first: the first commit seen is the last change
        churn.last_commit = oid;
      }
      if (!small) continue;
      size_t added = 0, deleted = 0;
      RETURN_IF_ERROR(Annotate(CountLines(raw_repo, change, diff_options, added, deleted),
                               "history: commit " + commit_hex));
      churn.lines_added += added;
      churn.lines_deleted += deleted;
    }
    if (small && commit_files.size() >= 2) builder.AddPairs(commit_files);
  }
  builder.Finish(history);
  return history;
}

}  // namespace engram::repo_index
