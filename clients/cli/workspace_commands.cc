#include "clients/cli/workspace_commands.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "clients/cli/exit_codes.h"
#include "clients/cli/json_output.h"
#include "engram/v1/workspace.grpc.pb.h"

namespace engram::cli {
namespace {

constexpr double kIndexCallS = 24 * 3600.0;  // indexing a large tree is not cut by the unary timeout

std::string Absolute(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  return ec ? path : p.string();
}

std::string HumanBytes(int64_t bytes) {
  char out[32];
  if (bytes >= (int64_t{1} << 30)) {
    std::snprintf(out, sizeof out, "%.2f GiB", static_cast<double>(bytes) / (1 << 30));
  } else if (bytes >= (1 << 20)) {
    std::snprintf(out, sizeof out, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  } else {
    std::snprintf(out, sizeof out, "%.1f KiB", static_cast<double>(bytes) / 1024);
  }
  return out;
}

void DrawProgress(const v1::IndexProgress& p) {
  constexpr int kWidth = 30;
  if (p.phase() != "parse" || p.files_total() <= 0) {
    std::fprintf(stderr, "\r\033[K%s...", p.phase().c_str());
    return;
  }
  int filled = static_cast<int>(kWidth * p.files_done() / p.files_total());
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "\r\033[K[%s] %lld/%lld files  %.0f files/s  ETA %.0fs", bar.c_str(),
               static_cast<long long>(p.files_done()), static_cast<long long>(p.files_total()), p.files_per_second(),
               p.eta_seconds());
}

void PrintSummary(const v1::IndexSummary& s) {
  std::printf("indexed %s (%s)\n", s.root().c_str(), s.workspace_id().c_str());
  std::printf("  files      %lld in the index: %lld parsed, %lld unchanged, %lld deleted (%.1f s)\n",
              static_cast<long long>(s.files()), static_cast<long long>(s.files_parsed()),
              static_cast<long long>(s.files_unchanged()), static_cast<long long>(s.files_deleted()),
              s.elapsed_ms() / 1000.0);
  std::string languages;
  for (const auto& [name, count] : std::map<std::string, int64_t>(s.files_by_language().begin(),
                                                                    s.files_by_language().end())) {
    languages += (languages.empty() ? "" : ", ") + name + " " + std::to_string(count);
  }
  std::printf("  languages  %s\n", languages.empty() ? "-" : languages.c_str());
  std::printf("  symbols    %lld, references %lld, imports %lld (%lld resolved), chunks %lld\n",
              static_cast<long long>(s.symbols()), static_cast<long long>(s.references()),
              static_cast<long long>(s.imports()), static_cast<long long>(s.imports_resolved()),
              static_cast<long long>(s.chunks()));
  std::string skipped;
  for (const auto& [reason, count] : std::map<std::string, int64_t>(s.skipped().begin(), s.skipped().end())) {
    if (count > 0) skipped += (skipped.empty() ? "" : ", ") + reason + " " + std::to_string(count);
  }
  std::printf("  skipped    %s\n", skipped.empty() ? "none" : skipped.c_str());
  std::printf("  source     %s; database %s at %s\n", HumanBytes(s.source_bytes()).c_str(),
              HumanBytes(s.database_bytes()).c_str(), s.database().c_str());
  if (!s.head_commit().empty()) {
    std::printf("  history    HEAD %s%s\n", s.head_commit().substr(0, 12).c_str(),
                s.history_commits() > 0 ? (", " + std::to_string(s.history_commits()) + " commits read").c_str()
                                        : "");
  }
}

// The open workspace that contains the current directory (longest root), or "" to let the daemon pick.
std::string DefaultWorkspace(const Connection& conn, v1::Workspace::Stub& stub) {
  auto ctx = conn.NewContext();
  v1::WorkspaceStatusRequest request;
  v1::WorkspaceStatusResponse response;
  if (!stub.Status(ctx.get(), request, &response).ok()) return "";
  std::string cwd = Absolute(".");
  std::string best;
  for (const v1::WorkspaceState& w : response.workspaces()) {
    const std::string& root = w.root();
    bool inside = cwd == root || (cwd.size() > root.size() && cwd.compare(0, root.size(), root) == 0 &&
                                  (root.back() == '/' || cwd[root.size()] == '/'));
    if (inside && root.size() > best.size()) best = root;
  }
  return best;
}

// `file` relative to the workspace holding it; picks that workspace into *workspace when it is empty.
// The daemon wants workspace-relative paths.
std::string WorkspaceRelative(const Connection& conn, v1::Workspace::Stub& stub, const std::string& file,
                              std::string* workspace) {
  std::string absolute = Absolute(file);
  if (workspace->empty()) {
    auto ctx = conn.NewContext();
    v1::WorkspaceStatusResponse response;
    if (stub.Status(ctx.get(), v1::WorkspaceStatusRequest(), &response).ok()) {
      for (const v1::WorkspaceState& w : response.workspaces()) {
        const std::string& root = w.root();
        if (absolute.size() > root.size() + 1 && absolute.compare(0, root.size(), root) == 0 &&
            absolute[root.size()] == '/' && root.size() > workspace->size()) {
          *workspace = root;
        }
      }
    }
  }
  if (!workspace->empty() && (*workspace)[0] == '/' && absolute.size() > workspace->size() + 1 &&
      absolute.compare(0, workspace->size(), *workspace) == 0 && absolute[workspace->size()] == '/') {
    return absolute.substr(workspace->size() + 1);
  }
  return file;
}

std::string Where(const v1::Location& l) {
  return l.path() + ":" + std::to_string(l.start_line()) + ":" + std::to_string(l.start_column() + 1);
}

int DoSearch(const Connection& conn, v1::SearchRequest request, const SearchFlags& flags, bool json) {
  auto stub = v1::Workspace::NewStub(conn.channel());
  request.set_workspace(flags.workspace.empty() ? DefaultWorkspace(conn, *stub) : flags.workspace);
  request.set_limit(flags.limit);
  auto ctx = conn.NewContext();
  v1::SearchResponse response;
  grpc::Status st = stub->Search(ctx.get(), request, &response);
  if (!st.ok()) return ReportRpcError(st, conn.target());
  if (json) {
    std::printf("%s\n", ToJson(response, true).c_str());
    return kExitOk;
  }
  for (const v1::SymbolResult& s : response.symbols()) {
    std::printf("%s  %-9s %s\n", Where(s.location()).c_str(), s.kind().c_str(), s.qualified_name().c_str());
    if (!s.signature().empty()) std::printf("    %s\n", s.signature().c_str());
  }
  for (const v1::ReferenceResult& r : response.references()) {
    std::printf("%s  %-4s in %s: %s\n", Where(r.location()).c_str(), r.kind().c_str(),
                r.enclosing().empty() ? "<top level>" : r.enclosing().c_str(), r.line_text().c_str());
  }
  for (const v1::TextResult& t : response.texts()) {
    std::printf("%s:%d-%d%s\n", t.location().path().c_str(), t.location().start_line(), t.location().end_line(),
                t.scope().empty() ? "" : ("  (" + t.scope() + ")").c_str());
    std::string snippet = t.snippet();
    size_t start = 0;
    while (start < snippet.size()) {
      size_t end = snippet.find('\n', start);
      if (end == std::string::npos) end = snippet.size();
      std::printf("    %s\n", snippet.substr(start, end - start).c_str());
      start = end + 1;
    }
  }
  int n = response.symbols_size() + response.references_size() + response.texts_size();
  std::fprintf(stderr, "%d result%s in %.1f ms\n", n, n == 1 ? "" : "s", response.elapsed_ms());
  return kExitOk;
}

}  // namespace

int RunIndex(const Connection& conn, const std::string& path, const IndexFlags& flags, bool json) {
  auto stub = v1::Workspace::NewStub(conn.channel());
  auto ctx = conn.NewContext(kIndexCallS);
  v1::OpenWorkspaceRequest request;
  request.set_path(Absolute(path.empty() ? "." : path));
  if (flags.no_watch) request.set_watch(false);
  if (flags.history_commits > 0) request.set_history_commits(static_cast<uint32_t>(flags.history_commits));
  auto reader = stub->Open(ctx.get(), request);
  const bool tty = !json && ::isatty(STDERR_FILENO);
  v1::OpenWorkspaceEvent event;
  v1::IndexSummary summary;
  bool have_summary = false;
  while (reader->Read(&event)) {
    if (event.has_progress() && tty) DrawProgress(event.progress());
    if (event.has_summary()) {
      summary = event.summary();
      have_summary = true;
    }
  }
  if (tty) std::fprintf(stderr, "\r\033[K");
  grpc::Status st = reader->Finish();
  if (!st.ok()) return ReportRpcError(st, conn.target());
  if (!have_summary) {
    std::fprintf(stderr, "engram: the daemon ended the index stream without a summary\n");
    return kExitError;
  }
  if (json) {
    std::printf("%s\n", ToJson(summary, true).c_str());
  } else {
    PrintSummary(summary);
  }
  return kExitOk;
}

int RunSearch(const Connection& conn, const std::string& query, const SearchFlags& flags, bool json) {
  v1::SearchRequest request;
  request.set_query(query);
  if (flags.text) {
    request.set_kind(v1::SearchRequest::TEXT);
  } else if (flags.definition) {
    request.set_kind(v1::SearchRequest::DEFINITION);
  } else {
    request.set_kind(v1::SearchRequest::SYMBOL);
    request.set_match(flags.exact ? v1::SearchRequest::EXACT
                                  : flags.fuzzy ? v1::SearchRequest::FUZZY : v1::SearchRequest::PREFIX);
  }
  return DoSearch(conn, request, flags, json);
}

int RunOutline(const Connection& conn, const std::string& file, const SearchFlags& flags, bool json) {
  auto stub = v1::Workspace::NewStub(conn.channel());
  SearchFlags resolved = flags;
  v1::SearchRequest request;
  request.set_kind(v1::SearchRequest::OUTLINE);
  request.set_query(WorkspaceRelative(conn, *stub, file, &resolved.workspace));
  return DoSearch(conn, request, resolved, json);
}

int RunRefs(const Connection& conn, const std::string& name, const SearchFlags& flags, bool json) {
  v1::SearchRequest request;
  request.set_kind(v1::SearchRequest::REFERENCES);
  request.set_query(name);
  return DoSearch(conn, request, flags, json);
}

int RunContext(const Connection& conn, const std::string& text, const ContextFlags& flags,
               const SearchFlags& where, bool json) {
  auto stub = v1::Workspace::NewStub(conn.channel());
  v1::RetrieveRequest request;
  std::string workspace = where.workspace;
  if (!flags.file.empty()) request.set_current_file(WorkspaceRelative(conn, *stub, flags.file, &workspace));
  if (workspace.empty()) workspace = DefaultWorkspace(conn, *stub);
  request.set_workspace(workspace);
  request.set_text(text);
  request.set_cursor_line(flags.line);
  for (const std::string& id : flags.identifiers) request.add_identifiers(id);
  request.set_budget(flags.budget);
  auto ctx = conn.NewContext();
  v1::RetrieveResponse response;
  grpc::Status st = stub->Retrieve(ctx.get(), request, &response);
  if (!st.ok()) return ReportRpcError(st, conn.target());
  if (json) {
    std::printf("%s\n", ToJson(response, true).c_str());
    return kExitOk;
  }
  int n = 0;
  for (const v1::ContextItem& item : response.items()) {
    ++n;
    if (item.kind() == v1::ContextItem::REPO_MAP) {
      std::printf("%d. repo map  (%d tokens)\n", n, item.tokens());
    } else {
      std::printf("%d. %s:%d-%d%s  (%d tokens, score %.4f)\n", n, item.location().path().c_str(),
                  item.location().start_line(), item.location().end_line(),
                  item.scope().empty() ? "" : ("  " + item.scope()).c_str(), item.tokens(), item.score());
    }
    for (const v1::RetrievalReason& r : item.reasons()) {
      std::printf("     %-9s #%-3d %s\n", r.signal().c_str(), r.rank(), r.detail().c_str());
    }
    if (!flags.brief) {
      size_t start = 0;
      const std::string& body = item.text();
      while (start < body.size()) {
        size_t end = body.find('\n', start);
        if (end == std::string::npos) end = body.size();
        std::printf("   | %s\n", body.substr(start, end - start).c_str());
        start = end + 1;
      }
    }
  }
  std::fprintf(stderr, "%d item%s, %d of %d tokens (%s) in %.1f ms\n", n, n == 1 ? "" : "s",
               response.tokens_used(), response.budget(), response.tokenizer().c_str(), response.elapsed_ms());
  for (const v1::SignalRun& s : response.signals()) {
    std::fprintf(stderr, "  %-9s %5.1f ms  %d files%s%s\n", s.signal().c_str(), s.elapsed_ms(), s.files_size(),
                 s.note().empty() ? "" : "  ", s.note().c_str());
  }
  return kExitOk;
}

}  // namespace engram::cli
