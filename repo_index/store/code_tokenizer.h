// The "code" FTS5 tokenizer: code-aware tokens for chunk text and symbol names.
//
// Splits text into identifier-like runs ([A-Za-z0-9_] plus any valid non-ASCII UTF-8 sequence other than
// spaces and punctuation: U+00A0, U+2000–U+206F, U+3000–U+303F, U+FEFF), and each run into lowercased
// parts at '_', at lower→Upper, at the end of an acronym (HTTPRequest → http request) and at
// digit→letter (md5sum → md5 sum; a letter→digit step does not cut: v2, utf8, int32), emitted as
// consecutive tokens:
//   "parseHTTPRequest_v2" → parse http request v2
// Lowercasing covers ASCII, Latin-1, Greek and basic Cyrillic capitals; other scripts pass unchanged.
// For documents (not queries) a run with several parts is also emitted whole, lowercased and without
// underscores, colocated with its first part (FTS5_TOKEN_COLOCATED): parse{parsehttprequestv2} http
// request v2. A query is split the same way without the whole-run token, so FTS5 turns "parse_http",
// "parseHttp" and "ParseHTTP" alike into the phrase "parse http", which matches all three spellings;
// "request" matches a part; `parsehttp*` matches whole runs (parse_http, parseHttpServer) by prefix. Runs longer than 64 bytes are emitted whole without parts. Invalid UTF-8
// never fails: bad bytes separate tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

struct sqlite3;

namespace engram::repo_index {

// Registers the tokenizer as "code" on this connection (called by SqliteDb::Open).
absl::Status RegisterCodeTokenizer(sqlite3* db);

// The same splitting as a plain function, for tests and for building queries:
// the tokens of `text`; `for_document` adds the colocated whole-run tokens.
struct CodeToken {
  std::string text;
  bool colocated = false;  // shares the position of the preceding token
};
std::vector<CodeToken> CodeTokenize(std::string_view text, bool for_document);

}  // namespace engram::repo_index
