#include "repo_index/parse/language_spec.h"

namespace engram::repo_index::internal {

const LanguageSpec* SpecFor(Language language) {
  switch (language) {
    case Language::kC:
      return &CSpec();
    case Language::kCpp:
      return &CppSpec();
    case Language::kPython:
      return &PythonSpec();
    case Language::kJavaScript:
      return &JavaScriptSpec();
    case Language::kTypeScript:
      return &TypeScriptSpec();
    case Language::kTsx:
      return &TsxSpec();
    case Language::kGo:
      return &GoSpec();
    case Language::kRust:
      return &RustSpec();
    case Language::kJava:
      return &JavaSpec();
    case Language::kUnknown:
      break;
  }
  return nullptr;
}

TSNode ChildOfType(TSNode node, std::string_view type) {
  if (ts_node_is_null(node)) return TSNode{};
  uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(node, i);
    if (type == ts_node_type(child)) return child;
  }
  return TSNode{};
}

std::string_view StripQuotes(std::string_view text) {
  if (text.size() >= 2) {
    char first = text.front();
    char last = text.back();
    if ((first == '"' && last == '"') || (first == '\'' && last == '\'') ||
        (first == '<' && last == '>') || (first == '`' && last == '`')) {
      return text.substr(1, text.size() - 2);
    }
  }
  return text;
}

}  // namespace engram::repo_index::internal
