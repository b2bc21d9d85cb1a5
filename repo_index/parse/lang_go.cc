// Go: tree-sitter-go, scope separator ".", `//` comments above (a grouped spec without its own
// comment takes the group's). Methods are qualified by their receiver type: `func (s *Server)
// Serve()` → "Server.Serve"; names are not prefixed with the package. Query: queries/go.scm.
#include <array>

#include "repo_index/parse/language_spec.h"

extern "C" const TSLanguage* tree_sitter_go(void);

namespace engram::repo_index::internal {
namespace {

constexpr std::array<std::string_view, 3> kWrappers = {"type_declaration", "const_declaration",
                                                      "var_declaration"};

// `*Server`, `Server[T]`, `pkg.Server` → the type's name node.
TSNode ReceiverTypeName(TSNode type) {
  for (int depth = 0; depth < kMaxHookDepth && !ts_node_is_null(type); ++depth) {
    if (NodeIs(type, "type_identifier")) return type;
    if (NodeIs(type, "pointer_type") || NodeIs(type, "parenthesized_type")) {
      type = ts_node_named_child(type, 0);
    } else if (NodeIs(type, "generic_type")) {
      type = Field(type, "type");
    } else if (NodeIs(type, "qualified_type")) {
      type = Field(type, "name");
    } else {
      break;
    }
  }
  return TSNode{};
}

bool RefineGo(DefCandidate& def, std::string_view source) {
  if (ts_node_is_null(def.name)) return false;
  if (NodeIs(def.node, "method_declaration")) {
    TSNode receiver = Field(def.node, "receiver");
    TSNode parameter = ChildOfType(receiver, "parameter_declaration");
    TSNode type_name = ReceiverTypeName(Field(parameter, "type"));
    if (!ts_node_is_null(type_name)) def.prefix = std::string(NodeText(type_name, source));
  } else if (NodeIs(def.node, "type_spec")) {
    TSNode type = Field(def.node, "type");
    if (NodeIs(type, "struct_type")) {
      def.kind = SymbolKind::kStruct;
    } else if (NodeIs(type, "interface_type")) {
      def.kind = SymbolKind::kInterface;
    }
  }
  return true;
}

}  // namespace

const LanguageSpec& GoSpec() {
  static const LanguageSpec spec = {
      .language = Language::kGo,
      .grammar = tree_sitter_go,
      .query_name = "go",
      .separator = ".",
      .doc_wrapper_types = kWrappers,
      .doc_skip_line_prefixes = {},
      .python_docstrings = false,
      .refine = RefineGo,
      .expand_import = nullptr,
      .extra_definitions = nullptr,
  };
  return spec;
}

}  // namespace engram::repo_index::internal
