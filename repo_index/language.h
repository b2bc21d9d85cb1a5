// Source languages the repository index understands, and how a file's language is detected.
//
//   Language lang = DetectLanguage("src/main.cc", first_bytes);   // kCpp
//   LanguageName(lang);                                            // "cpp"
//
// Detection is by extension first, then by a `#!` line (python, node, ...). A `.h` header is C++ when
// its first bytes show C++ (namespace, class, template, std::), C otherwise. Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace engram::repo_index {

enum class Language : uint8_t {
  kUnknown = 0,
  kC,
  kCpp,
  kPython,
  kJavaScript,
  kTypeScript,
  kTsx,
  kGo,
  kRust,
  kJava,
};
inline constexpr int kLanguageCount = 10;  // including kUnknown

// "c", "cpp", "python", "javascript", "typescript", "tsx", "go", "rust", "java"; "" for kUnknown.
std::string_view LanguageName(Language language);
std::optional<Language> LanguageFromName(std::string_view name);

// `path` is repository-relative with '/' separators; `head` is the start of the file's content (the
// first 8 KiB is plenty; may be empty when the content is not known yet).
Language DetectLanguage(std::string_view path, std::string_view head);

}  // namespace engram::repo_index
