// A stable, line-oriented text form of FileFacts for golden tests and engram-parse-dump.
//
//   symbol 3 method net::Http::parse name=parse lines=4-9 at=4:7 parent=2
//     sig: void parse(const char* data)
//     doc: Parses one request.\nSecond line.
//   ref call ksys_read at=12:9 in=SYSCALL_DEFINE3
//   import include_local linux/list.h line=3
//   chunk lines=1-20 bytes=0-512 symbol=- scope=
//
// Pure function, thread-safe.
#pragma once

#include <string>

#include "repo_index/parse/facts.h"

namespace engram::repo_index {

std::string DumpFacts(const FileFacts& facts);

}  // namespace engram::repo_index
