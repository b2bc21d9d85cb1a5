// Rust: tree-sitter-rust, scope separator "::", `///` and `/** */` comments above (attributes
// `#[...]` may sit in between). `impl Foo` and `impl Trait for Foo` blocks are scopes: their items
// are "Foo::item" methods. Imports: each leaf of a use-tree ("std::io", "crate::a::b", "foo" for
// `mod foo;`, the crate of `extern crate`). Query: queries/rust.scm.
#include <array>

#include "repo_index/parse/language_spec.h"
#include "repo_index/parse/text_util.h"

extern "C" const TSLanguage* tree_sitter_rust(void);

namespace engram::repo_index::internal {
namespace {

constexpr std::array<std::string_view, 1> kSkip = {"#["};

std::string Join(const std::string& prefix, std::string_view part) {
  if (prefix.empty()) return std::string(part);
  if (part.empty()) return prefix;
  return prefix + "::" + std::string(part);
}

void ExpandUseTree(TSNode node, const std::string& prefix, std::string_view source, int depth,
                   std::vector<std::string>* specs) {
  if (ts_node_is_null(node) || depth > kMaxHookDepth) return;
  std::string_view type = ts_node_type(node);
  if (type == "use_as_clause") {
    specs->push_back(Join(prefix, CollapseWhitespace(NodeText(Field(node, "path"), source))));
  } else if (type == "use_wildcard") {
    TSNode path = ts_node_named_child(node, 0);
    specs->push_back(Join(prefix, CollapseWhitespace(NodeText(path, source))));
  } else if (type == "scoped_use_list") {
    std::string inner = Join(prefix, CollapseWhitespace(NodeText(Field(node, "path"), source)));
    ExpandUseTree(Field(node, "list"), inner, source, depth + 1, specs);
  } else if (type == "use_list") {
    uint32_t count = ts_node_named_child_count(node);
    for (uint32_t i = 0; i < count; ++i) {
      ExpandUseTree(ts_node_named_child(node, i), prefix, source, depth + 1, specs);
    }
  } else if (type == "self") {
    specs->push_back(prefix.empty() ? std::string("self") : prefix);
  } else if (type != "line_comment" && type != "block_comment") {
    std::string text = CollapseWhitespace(NodeText(node, source));
    std::string compact;
    for (char c : text) {
      if (c != ' ') compact.push_back(c);
    }
    specs->push_back(Join(prefix, compact));
  }
}

void ExpandRustImport(TSNode node, std::string_view source, std::vector<std::string>* specs) {
  if (NodeIs(node, "mod_item")) {
    specs->emplace_back(NodeText(Field(node, "name"), source));
    return;
  }
  if (NodeIs(node, "identifier")) {  // extern crate
    specs->emplace_back(NodeText(node, source));
    return;
  }
  ExpandUseTree(node, "", source, 0, specs);
}

}  // namespace

const LanguageSpec& RustSpec() {
  static const LanguageSpec spec = {
      .language = Language::kRust,
      .grammar = tree_sitter_rust,
      .query_name = "rust",
      .separator = "::",
      .doc_wrapper_types = {},
      .doc_skip_line_prefixes = kSkip,
      .python_docstrings = false,
      .refine = nullptr,
      .expand_import = ExpandRustImport,
      .extra_definitions = nullptr,
  };
  return spec;
}

}  // namespace engram::repo_index::internal
