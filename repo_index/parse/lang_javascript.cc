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

namespace {

// JavaScript, TypeScript and TSX differ only in grammar and query.
LanguageSpec EcmaScriptSpec(Language language, const TSLanguage* (*grammar)(), std::string_view query_name) {
  return LanguageSpec{
      .language = language,
      .grammar = grammar,
      .query_name = query_name,
      .separator = ".",
      .doc_wrapper_types = kWrappers,
      .doc_skip_line_prefixes = {},
      .python_docstrings = false,
      .refine = RefineJavaScript,
      .expand_import = nullptr,
      .extra_definitions = nullptr,
  };
}

}  // namespace

const LanguageSpec& JavaScriptSpec() {
  static const LanguageSpec spec = EcmaScriptSpec(Language::kJavaScript, tree_sitter_javascript, "javascript");
  return spec;
}

const LanguageSpec& TypeScriptSpec() {
  static const LanguageSpec spec = EcmaScriptSpec(Language::kTypeScript, tree_sitter_typescript, "typescript");
  return spec;
}

// TSX is TypeScript plus JSX: the same query patterns, compiled against its own grammar.
const LanguageSpec& TsxSpec() {
  static const LanguageSpec spec = EcmaScriptSpec(Language::kTsx, tree_sitter_tsx, "typescript");
  return spec;
}

}  // namespace engram::repo_index::internal
