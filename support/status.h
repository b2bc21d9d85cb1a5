// Status propagation helpers over absl::Status / absl::StatusOr.
//
//   absl::StatusOr<Foo> MakeFoo();
//   absl::Status Use() {
//     ASSIGN_OR_RETURN(Foo foo, MakeFoo());
//     RETURN_IF_ERROR(foo.Check());
//     return absl::OkStatus();
//   }
//
// Recoverable errors travel as values; CHECK-style aborts are for programmer errors only.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ENGRAM_STATUS_CONCAT_INNER_(a, b) a##b
#define ENGRAM_STATUS_CONCAT_(a, b) ENGRAM_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    ::absl::Status engram_status_ = (expr);                     \
    if (!engram_status_.ok()) return engram_status_;            \
  } while (0)

// `ASSIGN_OR_RETURN(T x, StatusOrExpr)`: declares/assigns x from the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ENGRAM_ASSIGN_OR_RETURN_IMPL_(ENGRAM_STATUS_CONCAT_(engram_statusor_, __LINE__), lhs, expr)

#define ENGRAM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

namespace engram {

// Prefixes an error's message with context ("gguf: <path>: ..."); OK passes through unchanged.
inline absl::Status Annotate(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), std::string(context) + ": " + std::string(status.message()));
}

}  // namespace engram
