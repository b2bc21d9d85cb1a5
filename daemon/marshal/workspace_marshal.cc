#include "daemon/marshal/workspace_marshal.h"

#include "support/status.h"

namespace engram::daemon::marshal {
namespace {

void ToLocation(const std::string& path, const repo_index::SourceRange& range, v1::Location* out) {
  out->set_path(path);
  out->set_start_line(static_cast<int32_t>(range.start_line));
  out->set_start_column(static_cast<int32_t>(range.start_column));
  out->set_end_line(static_cast<int32_t>(range.end_line));
  out->set_end_column(static_cast<int32_t>(range.end_column));
}

// A workspace-relative path as requests carry it: no leading '/', no '..' or '.' components.
absl::Status CheckRelativePath(std::string_view field, const std::string& path) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError("retrieve: " + std::string(field) + " '" + path + "' " +
                                      std::string(why));
  };
  if (path.size() > 4096) return bad("is longer than 4096 bytes");
  if (!path.empty() && path[0] == '/') return bad("must be workspace-relative");
  size_t start = 0;
  while (start <= path.size() && !path.empty()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part == ".." || part == "." || part.empty()) return bad("has an empty, '.' or '..' component");
    start = end + 1;
  }
  return absl::OkStatus();
}

void ToReasons(const std::vector<repo_index::Reason>& reasons,
               google::protobuf::RepeatedPtrField<v1::RetrievalReason>* out) {
  for (const repo_index::Reason& r : reasons) {
    v1::RetrievalReason* p = out->Add();
    p->set_signal(std::string(repo_index::SignalName(r.signal)));
    p->set_rank(static_cast<int32_t>(r.rank));
    p->set_score(r.score);
    p->set_detail(r.detail);
  }
}

}  // namespace

absl::StatusOr<RetrieveCall> FromProto(const v1::RetrieveRequest& request) {
  constexpr size_t kMaxText = 64 * 1024;
  constexpr int kMaxNames = 256;
  RetrieveCall call;
  if (request.text().size() > kMaxText) {
    return absl::InvalidArgumentError("retrieve: text is longer than 65536 bytes");
  }
  if (request.text().empty() && request.current_file().empty() && request.identifiers().empty() &&
      request.files().empty()) {
    return absl::InvalidArgumentError("retrieve: the request has no text, file or identifier");
  }
  if (request.cursor_line() < 0) return absl::InvalidArgumentError("retrieve: cursor_line is negative");
  if (request.cursor_line() > 0 && request.current_file().empty()) {
    return absl::InvalidArgumentError("retrieve: cursor_line needs current_file");
  }
  if (request.budget() < 0 || request.budget() > 1000000) {
    return absl::InvalidArgumentError("retrieve: budget must be in 0..1000000 (0: 8000)");
  }
  if (request.identifiers_size() > kMaxNames || request.files_size() > kMaxNames) {
    return absl::InvalidArgumentError("retrieve: at most 256 identifiers and 256 files");
  }
  RETURN_IF_ERROR(CheckRelativePath("current_file", request.current_file()));
  for (const std::string& f : request.files()) {
    if (f.empty()) return absl::InvalidArgumentError("retrieve: files has an empty path");
    RETURN_IF_ERROR(CheckRelativePath("file", f));
  }
  for (const std::string& id : request.identifiers()) {
    if (id.empty() || id.size() > 256) {
      return absl::InvalidArgumentError("retrieve: identifier '" + id.substr(0, 64) +
                                        "' must be 1..256 bytes");
    }
  }
  call.query.text = request.text();
  call.query.current_file = request.current_file();
  call.query.cursor_line = static_cast<uint32_t>(request.cursor_line());
  call.query.identifiers.assign(request.identifiers().begin(), request.identifiers().end());
  call.query.files.assign(request.files().begin(), request.files().end());
  call.budget = request.budget() == 0 ? 8000 : static_cast<size_t>(request.budget());
  return call;
}

void ToProto(const repo_index::RetrievalResult& result, const std::string& tokenizer_id,
             v1::RetrieveResponse* out) {
  for (const repo_index::ContextItem& item : result.items) {
    v1::ContextItem* p = out->add_items();
    p->set_kind(item.kind == repo_index::ContextItem::Kind::kRepoMap ? v1::ContextItem::REPO_MAP
                                                                      : v1::ContextItem::CHUNK);
    if (item.kind == repo_index::ContextItem::Kind::kChunk) {
      p->mutable_location()->set_path(item.path);
      p->mutable_location()->set_start_line(static_cast<int32_t>(item.start_line));
      p->mutable_location()->set_end_line(static_cast<int32_t>(item.end_line));
    }
    p->set_scope(item.scope);
    p->set_text(item.text);
    p->set_tokens(static_cast<int32_t>(item.tokens));
    p->set_score(item.score);
    ToReasons(item.reasons, p->mutable_reasons());
  }
  out->set_budget(static_cast<int32_t>(result.budget));
  out->set_tokens_used(static_cast<int32_t>(result.tokens_used));
  for (size_t i = 0; i < result.files.size() && i < 20; ++i) {
    v1::RetrievedFile* f = out->add_files();
    f->set_path(result.files[i].path);
    f->set_score(result.files[i].score);
    ToReasons(result.files[i].reasons, f->mutable_reasons());
  }
  for (const repo_index::SignalRun& run : result.signals) {
    v1::SignalRun* s = out->add_signals();
    s->set_signal(std::string(repo_index::SignalName(run.signal)));
    for (size_t i = 0; i < run.files.size() && i < 10; ++i) s->add_files(run.files[i]);
    s->set_elapsed_ms(run.elapsed_ms);
    s->set_note(run.note);
  }
  out->set_elapsed_ms(result.elapsed_ms);
  out->set_tokenizer(tokenizer_id);
}

absl::StatusOr<SearchQuery> FromProto(const v1::SearchRequest& request) {
  SearchQuery query;
  switch (request.kind()) {
    case v1::SearchRequest::SYMBOL: query.kind = SearchKind::kSymbol; break;
    case v1::SearchRequest::TEXT: query.kind = SearchKind::kText; break;
    case v1::SearchRequest::DEFINITION: query.kind = SearchKind::kDefinition; break;
    case v1::SearchRequest::REFERENCES: query.kind = SearchKind::kReferences; break;
    case v1::SearchRequest::OUTLINE: query.kind = SearchKind::kOutline; break;
    default: return absl::InvalidArgumentError("search: unknown kind " + std::to_string(request.kind()));
  }
  switch (request.match()) {
    case v1::SearchRequest::EXACT: query.match = repo_index::NameMatch::kExact; break;
    case v1::SearchRequest::PREFIX: query.match = repo_index::NameMatch::kPrefix; break;
    case v1::SearchRequest::FUZZY: query.match = repo_index::NameMatch::kFuzzy; break;
    default: return absl::InvalidArgumentError("search: unknown match " + std::to_string(request.match()));
  }
  if (request.query().empty()) return absl::InvalidArgumentError("search: query is empty");
  if (request.query().size() > 1024) return absl::InvalidArgumentError("search: query is longer than 1024 bytes");
  if (request.limit() < 0 || request.limit() > 1000) {
    return absl::InvalidArgumentError("search: limit must be in 0..1000 (0: 50)");
  }
  query.query = request.query();
  query.limit = request.limit() == 0 ? 50 : request.limit();
  return query;
}

void ToProto(const repo_index::IndexProgress& progress, v1::IndexProgress* out) {
  out->set_phase(std::string(repo_index::PhaseName(progress.phase)));
  out->set_files_done(static_cast<int64_t>(progress.files_done));
  out->set_files_total(static_cast<int64_t>(progress.files_total));
  out->set_bytes_done(static_cast<int64_t>(progress.bytes_done));
  out->set_files_per_second(progress.files_per_second);
  out->set_eta_seconds(progress.eta_seconds);
}

void ToProto(const repo_index::IndexSummary& s, const std::string& workspace_id, v1::IndexSummary* out) {
  out->set_workspace_id(workspace_id);
  out->set_root(s.root);
  out->set_database(s.database);
  out->set_head_commit(s.head_commit);
  out->set_files(static_cast<int64_t>(s.files));
  out->set_files_parsed(static_cast<int64_t>(s.files_parsed));
  out->set_files_unchanged(static_cast<int64_t>(s.files_unchanged));
  out->set_files_deleted(static_cast<int64_t>(s.files_deleted));
  out->set_symbols(static_cast<int64_t>(s.stats.symbols));
  out->set_references(static_cast<int64_t>(s.stats.references));
  out->set_imports(static_cast<int64_t>(s.stats.imports));
  out->set_imports_resolved(static_cast<int64_t>(s.stats.imports_resolved));
  out->set_chunks(static_cast<int64_t>(s.stats.chunks));
  out->set_source_bytes(static_cast<int64_t>(s.stats.source_bytes));
  out->set_database_bytes(static_cast<int64_t>(s.stats.database_bytes));
  auto& skipped = *out->mutable_skipped();
  skipped["binary"] = s.skipped.binary;
  skipped["too_large"] = s.skipped.too_large;
  skipped["lfs_pointer"] = s.skipped.lfs_pointer;
  skipped["symlink"] = s.skipped.symlink;
  skipped["symlink_escape"] = s.skipped.symlink_escape;
  skipped["unreadable"] = s.skipped.unreadable;
  skipped["bad_path"] = s.skipped.bad_path;
  auto& by_language = *out->mutable_files_by_language();
  for (const auto& [language, count] : s.stats.files_by_language) {
    std::string name(repo_index::LanguageName(language));
    by_language[name.empty() ? "other" : name] = static_cast<int64_t>(count);
  }
  out->set_elapsed_ms(s.elapsed_ms);
  out->set_history_commits(static_cast<int32_t>(s.history_commits));
  out->set_parse_errors(static_cast<int64_t>(s.parse_errors));
}

void ToProto(const SearchResults& results, v1::SearchResponse* out) {
  for (const repo_index::SymbolHit& hit : results.symbols) {
    v1::SymbolResult* r = out->add_symbols();
    r->set_name(hit.symbol.name);
    r->set_kind(std::string(repo_index::SymbolKindName(hit.symbol.kind)));
    r->set_qualified_name(hit.symbol.qualified_name);
    r->set_signature(hit.symbol.signature);
    r->set_doc(hit.symbol.doc);
    ToLocation(hit.path, hit.symbol.range, r->mutable_location());
    r->set_score(hit.score);
  }
  for (const repo_index::ReferenceHit& hit : results.references) {
    v1::ReferenceResult* r = out->add_references();
    r->set_name(hit.reference.name);
    r->set_kind(std::string(repo_index::ReferenceKindName(hit.reference.kind)));
    r->set_enclosing(hit.enclosing_qualified);
    r->set_line_text(hit.line_text);
    ToLocation(hit.path, hit.reference.range, r->mutable_location());
  }
  for (const repo_index::TextHit& hit : results.texts) {
    v1::TextResult* r = out->add_texts();
    v1::Location* location = r->mutable_location();
    location->set_path(hit.path);
    location->set_start_line(static_cast<int32_t>(hit.chunk.start_line));
    location->set_end_line(static_cast<int32_t>(hit.chunk.end_line));
    r->set_scope(hit.chunk.scope_path);
    r->set_snippet(hit.snippet);
    r->set_score(hit.score);
  }
  out->set_elapsed_ms(results.elapsed_ms);
}

void ToProto(const WorkspaceSnapshot& snapshot, v1::WorkspaceState* out) {
  out->set_id(snapshot.id);
  out->set_root(snapshot.root);
  out->set_database(snapshot.database);
  out->set_state(snapshot.state);
  out->set_watching(snapshot.watching);
  if (snapshot.last_full.has_value()) ToProto(*snapshot.last_full, snapshot.id, out->mutable_last_full());
  out->set_updates(snapshot.updates);
  out->set_last_update_ms(snapshot.last_update_ms);
  out->set_last_error(snapshot.last_error);
  out->set_pending_paths(snapshot.pending_paths);
}

}  // namespace engram::daemon::marshal
