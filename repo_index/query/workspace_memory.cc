#include "repo_index/query/workspace_memory.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <future>

#include "absl/container/flat_hash_set.h"
#include "repo_index/memory/ngram_memory.h"
#include "repo_index/memory/symbol_graph.h"
#include "repo_index/store/index_store.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Lines [line-1, line+1] of the current file's chunk at the cursor: the identifiers the user is at.
absl::StatusOr<std::string> CursorText(IndexStore& store, const RetrievalQuery& query) {
  if (query.current_file.empty() || query.cursor_line == 0) return std::string();
  ASSIGN_OR_RETURN(std::optional<ChunkHit> chunk,
                   store.ChunkAt(query.current_file, query.cursor_line));
  if (!chunk) return std::string();
  std::string out;
  uint32_t line = chunk->start_line;
  size_t pos = 0;
  while (pos <= chunk->text.size()) {
    size_t nl = chunk->text.find('\n', pos);
    if (nl == std::string::npos) nl = chunk->text.size();
    if (line + 1 >= query.cursor_line && line <= query.cursor_line + 1) {
      out.append(chunk->text, pos, nl - pos);
      out.push_back('\n');
    }
    if (nl == chunk->text.size()) break;
    pos = nl + 1;
    ++line;
  }
  return out;
}

}  // namespace

WorkspaceMemory::WorkspaceMemory(std::unique_ptr<IndexStore> store,
                                 std::unique_ptr<IndexStore> text_store,
                                 std::shared_ptr<const NgramMemory> ngram,
                                 std::shared_ptr<const MemoryTokenizer> tokenizer,
                                 const WorkspaceMemoryOptions& options)
    : store_(std::move(store)),
      text_store_(std::move(text_store)),
      ngram_(std::move(ngram)),
      tokenizer_(std::move(tokenizer)),
      options_(options) {}

WorkspaceMemory::~WorkspaceMemory() = default;

absl::StatusOr<std::unique_ptr<WorkspaceMemory>> WorkspaceMemory::Open(
    const std::string& db_path, std::shared_ptr<const NgramMemory> ngram,
    std::shared_ptr<const MemoryTokenizer> tokenizer, const WorkspaceMemoryOptions& options) {
  if (tokenizer == nullptr) tokenizer = std::make_shared<LexicalTokenizer>();
  ASSIGN_OR_RETURN(std::unique_ptr<IndexStore> store, IndexStore::OpenReadOnly(db_path));
  ASSIGN_OR_RETURN(std::unique_ptr<IndexStore> text_store, IndexStore::OpenReadOnly(db_path));
  return std::unique_ptr<WorkspaceMemory>(new WorkspaceMemory(
      std::move(store), std::move(text_store), std::move(ngram), std::move(tokenizer), options));
}

absl::Status WorkspaceMemory::WarmUp() {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(uint64_t generation, store_->SymbolsGeneration());
  return RefreshGraphLocked(generation, /*force=*/true);
}

absl::Status WorkspaceMemory::RefreshGraphLocked(uint64_t generation, bool force) {
  if (graph_ != nullptr && generation == graph_->generation()) return absl::OkStatus();
  if (graph_ != nullptr && !force) {
    const double age = std::chrono::duration<double>(Clock::now() - graph_built_).count();
    if (age < options_.graph_refresh_seconds) return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(graph_, SymbolGraph::Build(*store_, options_.graph));
  graph_built_ = Clock::now();
  return absl::OkStatus();
}

absl::StatusOr<RetrievalResult> WorkspaceMemory::Retrieve(const RetrievalQuery& query,
                                                          size_t budget) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto start = Clock::now();
  const RetrievalOptions& opt = options_.retrieval;
  ASSIGN_OR_RETURN(const uint64_t generation, store_->SymbolsGeneration());
  RETURN_IF_ERROR(RefreshGraphLocked(generation, /*force=*/false));
  if (generation != term_docs_generation_ || term_docs_.size() > 1'000'000) {
    term_docs_.clear();
    term_docs_generation_ = generation;
  }

  ASSIGN_OR_RETURN(std::string cursor_text, CursorText(*store_, query));
  const std::vector<QueryTerm> terms =
      ExtractQueryTerms(query.text, cursor_text, query.identifiers, opt.max_terms);

  SignalContext ctx;
  ctx.store = store_.get();
  ctx.ngram = ngram_.get();
  ctx.graph = graph_.get();
  ctx.tokenizer = tokenizer_.get();
  ctx.query = &query;
  ctx.terms = &terms;
  ctx.options = &opt;
  ctx.term_docs = &term_docs_;
  if (!query.current_file.empty() && query.cursor_line > 0) {
    ctx.own_first =
        query.cursor_line > opt.own_context_lines ? query.cursor_line - opt.own_context_lines : 1;
    ctx.own_last = query.cursor_line + opt.own_context_lines;
  }

  RetrievalResult result;
  result.budget = budget;
  std::array<SignalOutput, kSignalCount> outputs;
  result.signals.resize(kSignalCount);
  auto run = [&](const SignalContext& c, Signal signal, auto fn) -> absl::Status {
    const auto t0 = Clock::now();
    ASSIGN_OR_RETURN(SignalOutput output, fn(c));
    output.files.signal = signal;
    SignalRun& sr = result.signals[static_cast<size_t>(signal)];
    sr.signal = signal;
    for (const auto& f : output.files.files) sr.files.push_back(f.path);
    sr.elapsed_ms = MsSince(t0);
    sr.note = output.note;
    outputs[static_cast<size_t>(signal)] = std::move(output);
    return absl::OkStatus();
  };
  const auto map_budget = static_cast<size_t>(static_cast<double>(budget) * opt.repo_map_share);
  // BM25 is the slowest SQLite work: it runs on its own read connection beside the other signals
  // (a third thread for the repo map measured slower on two cores).
  SignalContext text_ctx = ctx;
  text_ctx.store = text_store_.get();
  std::future<absl::Status> text = std::async(std::launch::async, [&] {
    return run(text_ctx, Signal::kText, [](const SignalContext& c) { return RunTextSignal(c); });
  });
  absl::Status status =
      run(ctx, Signal::kSymbol, [](const SignalContext& c) { return RunSymbolSignal(c); });
  if (status.ok()) {
    status = run(ctx, Signal::kNgram, [](const SignalContext& c) { return RunNgramSignal(c); });
  }
  if (status.ok()) {
    status = run(ctx, Signal::kRepoMap,
                 [map_budget](const SignalContext& c) { return RunRepoMapSignal(c, map_budget); });
  }
  if (status.ok()) {
    status =
        run(ctx, Signal::kCoChange, [](const SignalContext& c) { return RunCoChangeSignal(c); });
  }
  const absl::Status text_status = text.get();
  RETURN_IF_ERROR(status);
  RETURN_IF_ERROR(text_status);
  // Recency ranks what the other signals found (their top 20 files each).
  std::vector<std::string> found;
  absl::flat_hash_set<std::string> seen;
  for (const SignalOutput& o : outputs) {
    for (size_t i = 0; i < o.files.files.size() && i < 20; ++i) {
      if (seen.insert(o.files.files[i].path).second) found.push_back(o.files.files[i].path);
    }
  }
  RETURN_IF_ERROR(run(ctx, Signal::kRecency,
                      [&found](const SignalContext& c) { return RunRecencySignal(c, found); }));

  std::vector<SignalFiles> signal_files;
  std::vector<Candidate> candidates;
  std::optional<ContextItem> repo_map;
  for (SignalOutput& o : outputs) {
    std::erase_if(o.files.files, [&](const auto& f) { return f.path == query.current_file; });
    signal_files.push_back(std::move(o.files));
    for (Candidate& c : o.candidates) candidates.push_back(std::move(c));
    if (o.repo_map) repo_map = std::move(o.repo_map);
  }
  result.files = FuseFiles(signal_files, opt.fusion);
  std::vector<ContextItem> items = FuseItems(candidates, result.files, opt.fusion);
  PackResult packed = Pack(std::move(items), std::move(repo_map), budget, *tokenizer_);
  result.items = std::move(packed.items);
  result.tokens_used = packed.tokens_used;
  result.elapsed_ms = MsSince(start);
  return result;
}

}  // namespace engram::repo_index
