// engram.v1 Workspace messages <-> repo_index / daemon workspace types. Requests are validated here:
// errors are INVALID_ARGUMENT naming the field.
#pragma once

#include "absl/status/statusor.h"
#include "daemon/workspace/workspace_manager.h"
#include "engram/v1/workspace.pb.h"
#include "repo_index/index/indexer.h"
#include "repo_index/query/retrieval.h"

namespace engram::daemon::marshal {

absl::StatusOr<SearchQuery> FromProto(const v1::SearchRequest& request);

struct RetrieveCall {
  repo_index::RetrievalQuery query;
  size_t budget = 8000;
};
absl::StatusOr<RetrieveCall> FromProto(const v1::RetrieveRequest& request);
void ToProto(const repo_index::RetrievalResult& result, const std::string& tokenizer_id,
             v1::RetrieveResponse* out);

void ToProto(const repo_index::IndexProgress& progress, v1::IndexProgress* out);
void ToProto(const repo_index::IndexSummary& summary, const std::string& workspace_id, v1::IndexSummary* out);
void ToProto(const SearchResults& results, v1::SearchResponse* out);
void ToProto(const WorkspaceSnapshot& snapshot, v1::WorkspaceState* out);

}  // namespace engram::daemon::marshal
