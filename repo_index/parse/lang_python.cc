// Python: tree-sitter-python, scope separator ".", docstrings (else `#` comments above),
// decorators wrap definitions. Qualified names start at the module's top level (no module name).
// Imports: `import a.b` → "a.b"; `from a.b import c` → "a.b"; `from . import c` → ".c";
// `from ..x import y` → "..x". Query: queries/python.scm.
#include <array>

#include "repo_index/parse/language_spec.h"

extern "C" const TSLanguage* tree_sitter_python(void);

namespace engram::repo_index::internal {
namespace {

constexpr std::array<std::string_view, 1> kWrappers = {"decorated_definition"};

bool IsUpperCase(std::string_view name) {
  bool letter = false;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') letter = true;
  }
  return letter;
}

bool RefinePython(DefCandidate& def, std::string_view source) {
  if (ts_node_is_null(def.name)) return false;
  if (def.kind == SymbolKind::kVariable && IsUpperCase(NodeText(def.name, source))) {
    def.kind = SymbolKind::kConstant;
  }
  return true;
}

void ExpandPythonImport(TSNode node, std::string_view source, std::vector<std::string>* specs) {
  if (!NodeIs(node, "import_from_statement")) {
    specs->emplace_back(NodeText(node, source));
    return;
  }
  TSNode module = Field(node, "module_name");
  std::string_view module_text = NodeText(module, source);
  bool relative_only = NodeIs(module, "relative_import") && ChildOfType(module, "dotted_name").id == nullptr;
  if (!relative_only) {
    std::string spec;
    for (char c : module_text) {
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\\') spec.push_back(c);
    }
    specs->push_back(std::move(spec));
    return;
  }
  // `from . import a, b` names modules of the package: ".a", ".b".
  std::string prefix(module_text);
  uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(node, i);
    if (ts_node_start_byte(child) <= ts_node_start_byte(module)) continue;
    TSNode dotted = NodeIs(child, "aliased_import") ? Field(child, "name") : child;
    if (!NodeIs(dotted, "dotted_name")) continue;
    specs->push_back(prefix + std::string(NodeText(dotted, source)));
  }
  if (specs->empty()) specs->push_back(prefix);
}

}  // namespace

const LanguageSpec& PythonSpec() {
  static const LanguageSpec spec = {
      .language = Language::kPython,
      .grammar = tree_sitter_python,
      .query_name = "python",
      .separator = ".",
      .doc_wrapper_types = kWrappers,
      .doc_skip_line_prefixes = {},
      .python_docstrings = true,
      .refine = RefinePython,
      .expand_import = ExpandPythonImport,
      .extra_definitions = nullptr,
  };
  return spec;
}

}  // namespace engram::repo_index::internal
