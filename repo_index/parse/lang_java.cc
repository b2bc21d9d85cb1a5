// Java: tree-sitter-java, scope separator ".", `/** */` and `//` comments above (annotations are
// part of the declaration). Names are qualified by their enclosing types, not by the package (the
// package is its own namespace symbol). `static final` fields are constants. Imports: "a.b.C",
// "a.b.*", "a.b.C.member" for static imports. Query: queries/java.scm.
#include <string>

#include "repo_index/parse/language_spec.h"

extern "C" const TSLanguage* tree_sitter_java(void);

namespace engram::repo_index::internal {
namespace {

bool RefineJava(DefCandidate& def, std::string_view source) {
  if (ts_node_is_null(def.name)) return false;
  if (def.kind == SymbolKind::kField && NodeIs(def.node, "field_declaration")) {
    TSNode modifiers = ChildOfType(def.node, "modifiers");
    std::string_view text = NodeText(modifiers, source);
    if (text.find("static") != std::string_view::npos && text.find("final") != std::string_view::npos) {
      def.kind = SymbolKind::kConstant;
    }
  }
  return true;
}

void ExpandJavaImport(TSNode node, std::string_view source, std::vector<std::string>* specs) {
  std::string spec;
  uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(node, i);
    if (NodeIs(child, "identifier") || NodeIs(child, "scoped_identifier")) {
      for (char c : NodeText(child, source)) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') spec.push_back(c);
      }
    } else if (NodeIs(child, "asterisk")) {
      spec.append(".*");
    }
  }
  if (!spec.empty()) specs->push_back(std::move(spec));
}

}  // namespace

const LanguageSpec& JavaSpec() {
  static const LanguageSpec spec = {
      .language = Language::kJava,
      .grammar = tree_sitter_java,
      .query_name = "java",
      .separator = ".",
      .doc_wrapper_types = {},
      .doc_skip_line_prefixes = {},
      .python_docstrings = false,
      .refine = RefineJava,
      .expand_import = ExpandJavaImport,
      .extra_definitions = nullptr,
  };
  return spec;
}

}  // namespace engram::repo_index::internal
