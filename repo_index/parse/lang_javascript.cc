// JavaScript, TypeScript and TSX: scope separator ".", comments above (also above `export`),
// module-level `const` bindings as constants. Imports: `import ... from "x"`, `export ... from "x"`,
// `require("x")`, `import("x")`, TypeScript `import x = require("x")`. Queries:
// queries/javascript.scm and queries/typescript.scm (TSX uses the TypeScript query, compiled against
// the TSX grammar).
#include <array>

#include "repo_index/parse/language_spec.h"

extern "C" const TSLanguage* tree_sitter_javascript(void);
extern "C" const TSLanguage* tree_sitter_typescript(void);
extern "C" const TSLanguage* tree_sitter_tsx(void);

namespace engram::repo_index::internal {
namespace {

constexpr std::array<std::string_view, 2> kWrappers = {"export_statement", "ambient_declaration"};

bool IsFunctionValue(TSNode value) {
  return NodeIs(value, "arrow_function") || NodeIs(value, "function_expression") ||
         NodeIs(value, "generator_function");
}

bool RefineJavaScript(DefCandidate& def, std::string_view source) {
  if (ts_node_is_null(def.name)) return false;
  if (def.kind == SymbolKind::kVariable) {
    TSNode declarator = ts_node_parent(def.name);
    if (IsFunctionValue(Field(declarator, "value"))) return false;  // the function pattern has it
    TSNode kind = Field(def.node, "kind");
    if (NodeText(kind, source) == "const") def.kind = SymbolKind::kConstant;
  }
  return true;
}

}  // namespace

const LanguageSpec& JavaScriptSpec() {
  static const LanguageSpec spec = {
      .language = Language::kJavaScript,
      .grammar = tree_sitter_javascript,
      .query_name = "javascript",
      .separator = ".",
      .doc_wrapper_types = kWrappers,
      .doc_skip_line_prefixes = {},
      .python_docstrings = false,
      .refine = RefineJavaScript,
      .expand_import = nullptr,
      .extra_definitions = nullptr,
  };
  return spec;
}

const LanguageSpec& TypeScriptSpec() {
  static const LanguageSpec spec = {
      .language = Language::kTypeScript,
      .grammar = tree_sitter_typescript,
      .query_name = "typescript",
      .separator = ".",
      .doc_wrapper_types = kWrappers,
      .doc_skip_line_prefixes = {},
      .python_docstrings = false,
      .refine = RefineJavaScript,
      .expand_import = nullptr,
      .extra_definitions = nullptr,
  };
  return spec;
}

const LanguageSpec& TsxSpec() {
  static const LanguageSpec spec = {
      .language = Language::kTsx,
      .grammar = tree_sitter_tsx,
      .query_name = "typescript",  // TSX is TypeScript plus JSX: the same patterns, its own grammar
      .separator = ".",
      .doc_wrapper_types = kWrappers,
      .doc_skip_line_prefixes = {},
      .python_docstrings = false,
      .refine = RefineJavaScript,
      .expand_import = nullptr,
      .extra_definitions = nullptr,
  };
  return spec;
}

}  // namespace engram::repo_index::internal
