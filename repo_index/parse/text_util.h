// Text helpers for the parse room: UTF-8 repair, comment-marker stripping, Python docstrings.
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace engram::repo_index::internal {

// `text` with each invalid UTF-8 sequence and each NUL byte replaced by U+FFFD.
std::string ToValidUtf8(std::string_view text);

// The largest n <= max_bytes such that text.substr(0, n) does not end inside a UTF-8 sequence.
size_t Utf8Prefix(std::string_view text, size_t max_bytes);

// One comment's text without its markers: `//`, `///`, `//!`, `/* */`, `/** */`, leading ` * `,
// `#`. Lines are trimmed; leading and trailing blank lines dropped.
std::string StripCommentMarkers(std::string_view comment);

// A Python string literal's content (prefixes and quotes removed), dedented and trimmed.
std::string CleanDocstring(std::string_view literal);

// Whitespace runs collapsed to one space, trimmed.
std::string CollapseWhitespace(std::string_view text);

}  // namespace engram::repo_index::internal
