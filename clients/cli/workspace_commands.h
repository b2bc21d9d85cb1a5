// `engram index`, `engram search`, `engram outline`, `engram refs`, `engram context`.
#pragma once

#include <string>
#include <vector>

#include "clients/cli/connection.h"

namespace engram::cli {

struct IndexFlags {
  bool no_watch = false;
  int history_commits = 0;  // 0: the daemon's default
};

// Indexes `path` (default "."), with a progress bar on a terminal, then prints the summary.
int RunIndex(const Connection& conn, const std::string& path, const IndexFlags& flags, bool json);

struct SearchFlags {
  std::string workspace;  // path or id; empty: the open workspace containing the current directory
  bool text = false;      // full-text search instead of symbol names
  bool exact = false;
  bool fuzzy = false;     // default for symbols: prefix
  bool definition = false;
  int limit = 0;
};

int RunSearch(const Connection& conn, const std::string& query, const SearchFlags& flags, bool json);
int RunOutline(const Connection& conn, const std::string& file, const SearchFlags& flags, bool json);
int RunRefs(const Connection& conn, const std::string& name, const SearchFlags& flags, bool json);

struct ContextFlags {
  std::string file;                      // current file (any path; made workspace-relative)
  int line = 0;                          // cursor line in `file`
  std::vector<std::string> identifiers;  // --id, repeatable
  int budget = 8000;
  bool brief = false;                    // reasons only, no item text
};

// `engram context "text"`: what the project memory retrieves for a request, with the reasons.
int RunContext(const Connection& conn, const std::string& text, const ContextFlags& flags,
               const SearchFlags& where, bool json);

}  // namespace engram::cli
