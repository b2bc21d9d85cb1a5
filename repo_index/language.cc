#include "repo_index/language.h"

#include <array>
#include <string>

namespace engram::repo_index {
namespace {

struct NameEntry {
  Language language;
  std::string_view name;
};
constexpr std::array<NameEntry, 9> kNames = {{
    {Language::kC, "c"},
    {Language::kCpp, "cpp"},
    {Language::kPython, "python"},
    {Language::kJavaScript, "javascript"},
    {Language::kTypeScript, "typescript"},
    {Language::kTsx, "tsx"},
    {Language::kGo, "go"},
    {Language::kRust, "rust"},
    {Language::kJava, "java"},
}};

struct ExtensionEntry {
  std::string_view extension;  // without the dot, lowercase
  Language language;
};
constexpr std::array<ExtensionEntry, 25> kExtensions = {{
    {"c", Language::kC},          {"cc", Language::kCpp},        {"cpp", Language::kCpp},
    {"cxx", Language::kCpp},      {"c++", Language::kCpp},       {"hh", Language::kCpp},
    {"hpp", Language::kCpp},      {"hxx", Language::kCpp},       {"h++", Language::kCpp},
    {"ipp", Language::kCpp},      {"inl", Language::kCpp},       {"py", Language::kPython},
    {"pyi", Language::kPython},   {"js", Language::kJavaScript}, {"mjs", Language::kJavaScript},
    {"cjs", Language::kJavaScript}, {"jsx", Language::kJavaScript}, {"ts", Language::kTypeScript},
    {"mts", Language::kTypeScript}, {"cts", Language::kTypeScript}, {"tsx", Language::kTsx},
    {"go", Language::kGo},        {"rs", Language::kRust},       {"java", Language::kJava},
    {"h", Language::kC},  // refined by LooksLikeCpp
}};

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// A header is C++ when its first bytes use a construct C does not have.
bool LooksLikeCpp(std::string_view head) {
  constexpr std::array<std::string_view, 9> kMarkers = {
      "namespace ", "template<", "template <", "std::", "class ", "public:", "private:",
      "#include <string>", "#include <vector>"};
  for (std::string_view marker : kMarkers) {
    if (Contains(head, marker)) return true;
  }
  return false;
}

Language FromShebang(std::string_view head) {
  if (head.size() < 3 || head.substr(0, 2) != "#!") return Language::kUnknown;
  std::string_view line = head.substr(0, head.find('\n'));
  if (Contains(line, "python")) return Language::kPython;
  if (Contains(line, "node") || Contains(line, "deno") || Contains(line, "bun")) {
    return Contains(line, "ts-node") ? Language::kTypeScript : Language::kJavaScript;
  }
  return Language::kUnknown;
}

}  // namespace

std::string_view LanguageName(Language language) {
  for (const NameEntry& entry : kNames) {
    if (entry.language == language) return entry.name;
  }
  return "";
}

std::optional<Language> LanguageFromName(std::string_view name) {
  for (const NameEntry& entry : kNames) {
    if (entry.name == name) return entry.language;
  }
  return std::nullopt;
}

Language DetectLanguage(std::string_view path, std::string_view head) {
  std::string_view base = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  size_t dot = base.rfind('.');
  if (dot != std::string_view::npos && dot > 0 && dot + 1 < base.size()) {
    std::string extension(base.substr(dot + 1));
    for (char& c : extension) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    // ".C" and ".H" (capital) are C++ by convention.
    std::string_view raw = base.substr(dot + 1);
    if (raw == "C" || raw == "H") return Language::kCpp;
    for (const ExtensionEntry& entry : kExtensions) {
      if (entry.extension == extension) {
        if (entry.language == Language::kC && extension == "h" && LooksLikeCpp(head)) {
          return Language::kCpp;
        }
        return entry.language;
      }
    }
    return Language::kUnknown;
  }
  return FromShebang(head);
}

}  // namespace engram::repo_index
