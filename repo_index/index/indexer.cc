#include "repo_index/index/indexer.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "repo_index/parse/import_resolver.h"
#include "support/logging.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

using Clock = std::chrono::steady_clock;

// A first index of at least this many files is loaded in bulk mode.
constexpr size_t kBulkLoadMinFiles = 2000;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool HasNulPrefix(std::string_view bytes) {
  return bytes.substr(0, 8192).find('\0') != std::string_view::npos;
}

// The `module` line of go.mod at the root, if any (Go import resolution strips it).
std::string ReadGoModule(const std::string& root) {
  FILE* f = std::fopen((root + "/go.mod").c_str(), "rb");
  if (f == nullptr) return "";
  char line[1024];
  std::string module;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    std::string_view view(line);
    if (view.substr(0, 7) == "module ") {
      view.remove_prefix(7);
      while (!view.empty() && (view.back() == '\n' || view.back() == '\r' || view.back() == ' ')) view.remove_suffix(1);
      while (!view.empty() && view.front() == ' ') view.remove_prefix(1);
      module = std::string(view);
      break;
    }
  }
  std::fclose(f);
  return module;
}

// Normalizes a workspace-relative path from an event; empty when it is not one.
std::string NormalizeRelative(std::string_view path) {
  while (path.substr(0, 2) == "./") path.remove_prefix(2);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty() || path.front() == '/') return "";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return "";
    start = end + 1;
  }
  return std::string(path);
}

// A bounded multi-producer queue between the parse workers and the writer.
template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}
  void Push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
    items_.push_back(std::move(item));
    not_empty_.notify_one();
  }
  // nullopt once every producer is done and the queue is drained.
  std::optional<T> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || producers_ == 0; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  void SetProducers(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    producers_ = n;
  }
  void ProducerDone() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--producers_ == 0) not_empty_.notify_all();
  }
  // Unblocks producers for good (the consumer stopped early).
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  size_t capacity_;
  int producers_ = 0;
  bool closed_ = false;
};

}  // namespace

std::string_view PhaseName(IndexProgress::Phase phase) {
  switch (phase) {
    case IndexProgress::Phase::kScan: return "scan";
    case IndexProgress::Phase::kParse: return "parse";
    case IndexProgress::Phase::kHistory: return "history";
    case IndexProgress::Phase::kDone: return "done";
  }
  return "?";
}

struct Indexer::ParsedFile {
  ScannedFile scanned;
  bool present = false;  // false: the file vanished or became unindexable after the scan
  FileRecord record;
  FileFacts facts;
  std::string content;
  std::vector<std::optional<std::string>> resolved;
};

Indexer::Indexer(std::string root, std::unique_ptr<IndexStore> store, const IndexerOptions& options)
    : root_(std::move(root)), store_(std::move(store)), options_(options) {}

Indexer::~Indexer() = default;

absl::StatusOr<std::unique_ptr<Indexer>> Indexer::Open(const std::string& root, const std::string& db_path,
                                                       const IndexerOptions& options) {
  char* real = ::realpath(root.c_str(), nullptr);
  if (real == nullptr) return absl::NotFoundError("index: workspace '" + root + "' does not exist");
  std::string canonical(real);
  std::free(real);
  struct stat st;
  if (::stat(canonical.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError("index: workspace '" + root + "' is not a directory");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<IndexStore> store, IndexStore::Open(db_path));
  ASSIGN_OR_RETURN(std::optional<std::string> stored_root, store->GetMeta("root"));
  if (stored_root.has_value() && *stored_root != canonical) {
    return absl::FailedPreconditionError("index: database '" + db_path + "' belongs to workspace '" +
                                         *stored_root + "', not '" + canonical + "'");
  }
  if (!stored_root.has_value()) RETURN_IF_ERROR(store->SetMeta("root", canonical));
  return std::unique_ptr<Indexer>(new Indexer(std::move(canonical), std::move(store), options));
}

absl::StatusOr<IndexSummary> Indexer::Sync(const ProgressFn& progress, const CancellationToken& cancel) {
  const Clock::time_point start = Clock::now();
  IndexSummary summary;
  summary.root = root_;
  summary.database = store_->path();
  if (progress) progress(IndexProgress{});

  ASSIGN_OR_RETURN(std::vector<FileRecord> stored_files, store_->ListFiles());
  std::unordered_map<std::string, StatCacheEntry> stat_cache;
  std::unordered_map<std::string, const FileRecord*> stored;
  stat_cache.reserve(stored_files.size());
  stored.reserve(stored_files.size());
  for (const FileRecord& record : stored_files) {
    stat_cache.emplace(record.path, StatCacheEntry{record.stat, record.blob_id});
    stored.emplace(record.path, &record);
  }

  ScanOptions scan_options;
  scan_options.max_file_bytes = options_.max_file_bytes;
  scan_options.stat_cache = &stat_cache;
  scan_options.cancel = cancel;
  const Clock::time_point scan_start = Clock::now();
  ASSIGN_OR_RETURN(ScanResult scan, ScanWorkspace(root_, scan_options));
  summary.scan_ms = MsSince(scan_start);
  summary.files_hashed = scan.hashed;
  summary.skipped = scan.skipped;
  summary.head_commit = scan.head_commit;

  std::vector<std::string> paths;
  paths.reserve(scan.files.size());
  std::vector<ScannedFile> to_parse;
  std::vector<std::pair<std::string, FileStat>> touched;
  bool path_set_changed = false;
  std::unordered_set<std::string_view> present;
  present.reserve(scan.files.size());
  for (const ScannedFile& file : scan.files) {
    paths.push_back(file.path);
    present.insert(file.path);
    auto it = stored.find(file.path);
    if (it == stored.end()) {
      path_set_changed = true;
      to_parse.push_back(file);
      continue;
    }
    const FileRecord& old = *it->second;
    if (old.blob_id != file.blob_id || old.tracked != file.tracked || old.language != file.language) {
      to_parse.push_back(file);
    } else if (!(old.stat == file.stat)) {
      touched.emplace_back(file.path, file.stat);
      ++summary.files_unchanged;
    } else {
      ++summary.files_unchanged;
    }
  }
  std::vector<std::string> to_delete;
  for (const FileRecord& record : stored_files) {
    if (!present.contains(record.path)) to_delete.push_back(record.path);
  }
  if (!to_delete.empty()) path_set_changed = true;

  if (!to_delete.empty() || !touched.empty()) {
    RETURN_IF_ERROR(store_->Begin());
    for (const std::string& path : to_delete) RETURN_IF_ERROR(store_->DeleteFile(path));
    for (const auto& [path, stat] : touched) RETURN_IF_ERROR(store_->UpdateFileStat(path, stat));
    RETURN_IF_ERROR(store_->Commit());
    summary.files_deleted = to_delete.size();
  }

  paths_ = std::make_unique<PathSet>(paths);
  paths_->go_module = ReadGoModule(root_);

  const Clock::time_point parse_start = Clock::now();
  // A first index of a large tree: build the name indexes once at the end (IndexStore::BeginBulkLoad).
  const bool bulk = stored_files.empty() && to_parse.size() >= kBulkLoadMinFiles;
  if (bulk) RETURN_IF_ERROR(store_->BeginBulkLoad());
  absl::Status parsed = ParseAndStore(to_parse, progress, cancel, &summary);
  if (bulk) {
    absl::Status ended = store_->EndBulkLoad();
    if (parsed.ok()) parsed = ended;
  }
  RETURN_IF_ERROR(parsed);
  summary.parse_ms = MsSince(parse_start);
  if (path_set_changed && !stored_files.empty()) RETURN_IF_ERROR(ReresolveImports(&summary));

  if (progress) {
    IndexProgress p;
    p.phase = IndexProgress::Phase::kHistory;
    p.files_done = p.files_total = to_parse.size();
    progress(p);
  }
  const Clock::time_point history_start = Clock::now();
  RETURN_IF_ERROR(UpdateHistory(scan.head_commit, cancel, &summary));
  summary.history_ms = MsSince(history_start);

  RETURN_IF_ERROR(store_->Begin());
  RETURN_IF_ERROR(store_->SetMeta("head_commit", scan.head_commit));
  RETURN_IF_ERROR(store_->SetMeta("head_ref", scan.head_ref));
  RETURN_IF_ERROR(store_->SetMeta("is_git", scan.is_git ? "1" : "0"));
  RETURN_IF_ERROR(store_->SetMeta(
      "last_sync_unix", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count())));
  RETURN_IF_ERROR(store_->SetMeta("skipped",
                                  absl::StrCat("binary=", scan.skipped.binary, " too_large=", scan.skipped.too_large,
                                               " lfs_pointer=", scan.skipped.lfs_pointer,
                                               " symlink=", scan.skipped.symlink,
                                               " symlink_escape=", scan.skipped.symlink_escape,
                                               " unreadable=", scan.skipped.unreadable,
                                               " bad_path=", scan.skipped.bad_path)));
  RETURN_IF_ERROR(store_->Commit());

  ASSIGN_OR_RETURN(summary.stats, store_->Stats());
  summary.files = summary.stats.files;
  summary.elapsed_ms = MsSince(start);
  if (progress) {
    IndexProgress p;
    p.phase = IndexProgress::Phase::kDone;
    p.files_done = p.files_total = to_parse.size();
    progress(p);
  }
  GetLogger("index")->info(
      "sync root={} files={} parsed={} deleted={} hashed={} skipped={} ms={:.0f} scan_ms={:.0f} parse_ms={:.0f}",
      root_, summary.files, summary.files_parsed, summary.files_deleted, summary.files_hashed,
      summary.skipped.total(), summary.elapsed_ms, summary.scan_ms, summary.parse_ms);
  return summary;
}

absl::StatusOr<IndexSummary> Indexer::UpdatePaths(const std::vector<std::string>& raw_paths,
                                                  const CancellationToken& cancel) {
  const Clock::time_point start = Clock::now();
  IndexSummary summary;
  summary.root = root_;
  summary.database = store_->path();
  if (paths_ == nullptr) {
    // No Sync yet in this process: the path set comes from the store.
    ASSIGN_OR_RETURN(std::vector<FileRecord> files, store_->ListFiles());
    std::vector<std::string> paths;
    paths.reserve(files.size());
    for (const FileRecord& f : files) paths.push_back(f.path);
    paths_ = std::make_unique<PathSet>(paths);
    paths_->go_module = ReadGoModule(root_);
  }

  std::vector<std::string> paths;
  for (const std::string& raw : raw_paths) {
    std::string path = NormalizeRelative(raw);
    if (path.empty()) continue;
    paths.push_back(std::move(path));
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());

  ScanOptions scan_options;
  scan_options.max_file_bytes = options_.max_file_bytes;
  scan_options.cancel = cancel;
  std::vector<ScannedFile> to_parse;
  std::vector<std::string> to_delete;
  std::vector<std::pair<std::string, FileStat>> touched;
  for (const std::string& path : paths) {
    struct stat st;
    if (::lstat((root_ + "/" + path).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Sync(nullptr, cancel);  // a directory appeared, moved or changed: rescan
    }
    ASSIGN_OR_RETURN(std::optional<FileRecord> old, store_->GetFile(path));
    std::string skip_reason;
    absl::StatusOr<ScannedFile> now = ScanOnePath(root_, path, scan_options, &skip_reason);
    if (now.ok()) {
      if (!old.has_value() || old->blob_id != now->blob_id || old->tracked != now->tracked ||
          old->language != now->language) {
        to_parse.push_back(std::move(*now));
      } else if (!(old->stat == now->stat)) {
        touched.emplace_back(path, now->stat);
      }
    } else if (absl::IsNotFound(now.status())) {
      if (old.has_value()) {
        to_delete.push_back(path);
      }
    } else {
      return now.status();
    }
  }

  bool path_set_changed = !to_delete.empty();
  for (const ScannedFile& file : to_parse) {
    if (!paths_->Contains(file.path)) {
      path_set_changed = true;
      paths_->Add(file.path);
    }
  }
  if (!to_delete.empty() || !touched.empty()) {
    RETURN_IF_ERROR(store_->Begin());
    for (const std::string& path : to_delete) {
      RETURN_IF_ERROR(store_->DeleteFile(path));
      paths_->Remove(path);
    }
    for (const auto& [path, stat] : touched) RETURN_IF_ERROR(store_->UpdateFileStat(path, stat));
    RETURN_IF_ERROR(store_->Commit());
    summary.files_deleted = to_delete.size();
  }
  const Clock::time_point parse_start = Clock::now();
  RETURN_IF_ERROR(ParseAndStore(to_parse, nullptr, cancel, &summary));
  summary.parse_ms = MsSince(parse_start);
  if (path_set_changed) RETURN_IF_ERROR(ReresolveImports(&summary));
  summary.files_unchanged = paths.size() - to_parse.size() - to_delete.size();
  summary.elapsed_ms = MsSince(start);
  return summary;
}

absl::Status Indexer::ParseAndStore(const std::vector<ScannedFile>& files, const ProgressFn& progress,
                                    const CancellationToken& cancel, IndexSummary* summary) {
  if (files.empty()) return absl::OkStatus();
  const Clock::time_point start = Clock::now();
  int n_workers = options_.threads > 0 ? options_.threads : static_cast<int>(std::thread::hardware_concurrency());
  n_workers = std::clamp<int>(n_workers, 1, 64);
  if (files.size() < 8) n_workers = 1;

  BoundedQueue<ParsedFile> queue(64);
  queue.SetProducers(n_workers);
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};

  const PathSet& path_set = *paths_;
  auto worker = [&] {
    Parser parser;
    while (!stop.load(std::memory_order_relaxed) && !cancel.cancelled()) {
      size_t i = next.fetch_add(1);
      if (i >= files.size()) break;
      ParsedFile out;
      out.scanned = files[i];
      absl::StatusOr<FileContent> content = ReadAndHash(root_ + "/" + files[i].path, options_.max_file_bytes);
      if (!content.ok() || HasNulPrefix(content->bytes)) {
        queue.Push(std::move(out));  // vanished, grew past the cap or turned binary: not indexed
        continue;
      }
      out.present = true;
      out.record.path = files[i].path;
      out.record.blob_id = content->blob_id;
      out.record.stat = content->stat;
      out.record.language = files[i].language;
      out.record.tracked = files[i].tracked;
      out.content = std::move(content->bytes);
      uint32_t lines = static_cast<uint32_t>(std::count(out.content.begin(), out.content.end(), '\n'));
      if (!out.content.empty() && out.content.back() != '\n') ++lines;
      out.record.line_count = lines;
      bool parsed = false;
      if (HasGrammar(out.record.language)) {
        absl::StatusOr<FileFacts> facts = parser.Parse(out.record.language, out.content, options_.parse);
        if (facts.ok()) {
          out.facts = std::move(*facts);
          parsed = true;
        } else {
          GetLogger("index")->warn("parse failed path={} error=\"{}\"", out.record.path,
                                   std::string(facts.status().message()));
        }
      }
      if (!parsed) {
        out.facts = FileFacts{};
        out.facts.chunks = ChunkPlainText(out.content, options_.parse);
      }
      out.record.has_syntax_errors = out.facts.has_syntax_errors;
      out.resolved.reserve(out.facts.imports.size());
      for (const Import& import : out.facts.imports) {
        out.resolved.push_back(ResolveImport(out.record.language, out.record.path, import, path_set));
      }
      queue.Push(std::move(out));
    }
    queue.ProducerDone();
  };
  std::vector<std::thread> workers;
  workers.reserve(n_workers);
  for (int i = 0; i < n_workers; ++i) workers.emplace_back(worker);

  absl::Status status = store_->Begin();
  uint32_t in_batch = 0;
  bool committed = false;
  uint64_t done = 0;
  Clock::time_point last_progress = start;
  std::vector<std::string> vanished;
  while (status.ok()) {
    std::optional<ParsedFile> item = queue.Pop();
    if (!item.has_value()) break;
    if (!item->present) {
      vanished.push_back(item->scanned.path);
    } else {
      status = store_->UpsertFile(item->record, item->facts, item->content, item->resolved);
      if (!status.ok()) break;
      ++summary->files_parsed;
      summary->parse_errors += item->record.has_syntax_errors ? 1 : 0;
      if (++in_batch >= options_.batch_files) {
        status = store_->Commit();
        if (status.ok()) status = store_->Begin();
        in_batch = 0;
        committed = true;
      }
    }
    ++done;
    // Progress after each committed batch, and at least every 100 ms.
    if (progress && (committed || std::chrono::duration<double>(Clock::now() - last_progress).count() >= 0.1)) {
      committed = false;
      last_progress = Clock::now();
      IndexProgress p;
      p.phase = IndexProgress::Phase::kParse;
      p.files_done = done;
      p.files_total = files.size();
      double seconds = std::chrono::duration<double>(last_progress - start).count();
      p.files_per_second = seconds > 0 ? static_cast<double>(done) / seconds : 0;
      p.eta_seconds = p.files_per_second > 0 ? static_cast<double>(files.size() - done) / p.files_per_second : 0;
      progress(p);
    }
  }
  if (!status.ok()) {
    stop = true;
    queue.Close();
  }
  // Drain so that blocked producers can finish.
  while (queue.Pop().has_value()) {
  }
  for (std::thread& t : workers) t.join();
  if (!status.ok()) {
    (void)store_->Rollback();
    return status;
  }
  // Files that vanished between the scan and the read: drop what was stored for them.
  for (const std::string& path : vanished) {
    ASSIGN_OR_RETURN(std::optional<FileRecord> old, store_->GetFile(path));
    if (old.has_value()) {
      RETURN_IF_ERROR(store_->DeleteFile(path));
      ++summary->files_deleted;
    }
    paths_->Remove(path);
  }
  RETURN_IF_ERROR(store_->Commit());
  if (cancel.cancelled()) return absl::CancelledError("index: cancelled");
  return absl::OkStatus();
}

absl::Status Indexer::ReresolveImports(IndexSummary* summary) {
  ASSIGN_OR_RETURN(std::vector<ImportRow> imports, store_->ListImports());
  RETURN_IF_ERROR(store_->Begin());
  for (const ImportRow& row : imports) {
    std::optional<std::string> target = ResolveImport(row.language, row.file_path, row.import, *paths_);
    if (target != row.resolved_path) {
      RETURN_IF_ERROR(store_->SetImportTarget(row.id, target));
      ++summary->imports_reresolved;
    }
  }
  return store_->Commit();
}

absl::Status Indexer::UpdateHistory(const std::string& head_commit, const CancellationToken& cancel,
                                    IndexSummary* summary) {
  if (options_.history_commits == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<std::string> history_head, store_->GetMeta("history_head"));
  if (history_head.has_value() && *history_head == head_commit) return absl::OkStatus();
  HistoryOptions options;
  options.max_commits = options_.history_commits;
  options.max_files_per_commit = options_.history_max_files_per_commit;
  options.cancel = cancel;
  ASSIGN_OR_RETURN(History history, ReadHistory(root_, options));
  RETURN_IF_ERROR(store_->Begin());
  RETURN_IF_ERROR(store_->ReplaceHistory(history));
  RETURN_IF_ERROR(store_->SetMeta("history_head", head_commit));
  RETURN_IF_ERROR(store_->Commit());
  summary->history_updated = true;
  summary->history_commits = history.commits_walked;
  return absl::OkStatus();
}

std::string WorkspaceId(const std::string& root) {
  std::string_view view(root);
  while (view.size() > 1 && view.back() == '/') view.remove_suffix(1);
  size_t slash = view.rfind('/');
  std::string base(slash == std::string_view::npos ? view : view.substr(slash + 1));
  for (char& c : base) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) c = '_';
  }
  if (base.empty() || base == "." || base == "..") base = "root";
  if (base.size() > 40) base.resize(40);
  return base + "-" + GitBlobId(root).substr(0, 12);
}

std::string WorkspaceDatabasePath(const std::string& data_dir, const std::string& root) {
  return data_dir + "/workspaces/" + WorkspaceId(root) + "/index.db";
}

}  // namespace engram::repo_index
