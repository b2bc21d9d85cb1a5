// What the generic extractor (parser.cc) needs to know about one language: its grammar, its query
// file, the scope separator, where doc comments live, and hooks for what a query cannot express
// (walking C declarators, Go receivers, Rust use-trees).
//
// One spec per language, defined in lang_<language>.cc; SpecFor() maps a Language to it. Specs are
// immutable constants: thread-safe. Hooks run on one file's tree and must not recurse without a
// depth bound (kMaxHookDepth).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repo_index/language.h"
#include "repo_index/parse/facts.h"
#include "tree_sitter/api.h"

namespace engram::repo_index::internal {

inline constexpr int kMaxHookDepth = 64;

// A definition found by the query (or by a spec's extra_definitions hook) before it becomes a Symbol.
struct DefCandidate {
  TSNode node{};        // the definition: range start, signature, doc comments
  TSNode end_node{};    // when not null, the definition ends where this node ends (macro + body)
  TSNode name{};        // the name token; hooks resolve it when the query has none
  TSNode declarator{};  // C/C++: the declarator captured by @declarator
  SymbolKind kind = SymbolKind::kFunction;
  std::string prefix;  // qualification written in the definition itself ("Http" in `Http::parse`)
  bool opens_scope = false;  // set from kind by the extractor; a hook may force it on
  bool force_scope = false;  // hook: this definition opens a scope whatever its kind
};

// A node that qualifies the names inside it without being a symbol (Rust `impl Foo { ... }`).
struct ScopeCandidate {
  TSNode node{};
  std::string name;
};

struct LanguageSpec {
  Language language = Language::kUnknown;
  const TSLanguage* (*grammar)() = nullptr;
  std::string_view query_name;  // stem of parse/queries/<query_name>.scm
  std::string_view separator;   // "::" or "."
  // Parents whose preceding comments document their child (export_statement, template_declaration).
  std::span<const std::string_view> doc_wrapper_types;
  // Lines allowed between a doc comment and its definition, by their first characters ("#[" for
  // Rust attributes). Comments themselves come from the query's @comment captures.
  std::span<const std::string_view> doc_skip_line_prefixes;
  bool python_docstrings = false;

  // Completes a candidate (name, kind, prefix); returns false to drop it. Null: keep as captured
  // (a candidate without a name is dropped).
  bool (*refine)(DefCandidate& def, std::string_view source) = nullptr;
  // Turns an import capture into specs. Null: the node's text with quotes stripped.
  void (*expand_import)(TSNode node, std::string_view source, std::vector<std::string>* specs) = nullptr;
  // Definitions the query cannot express (C functions whose head is a macro call, functions lost in
  // ERROR nodes). `errors` are the tree's ERROR nodes (the query's @error captures).
  void (*extra_definitions)(TSNode root, std::span<const TSNode> errors, std::string_view source,
                            std::vector<DefCandidate>* out) = nullptr;
};

// The spec of `language`, or nullptr when it has no grammar.
const LanguageSpec* SpecFor(Language language);

const LanguageSpec& CSpec();
const LanguageSpec& CppSpec();
const LanguageSpec& PythonSpec();
const LanguageSpec& JavaScriptSpec();
const LanguageSpec& TypeScriptSpec();
const LanguageSpec& TsxSpec();
const LanguageSpec& GoSpec();
const LanguageSpec& RustSpec();
const LanguageSpec& JavaSpec();

// The text of parse/queries/<name>.scm, compiled into the binary (queries_embedded.cc, generated).
std::string_view EmbeddedQuery(std::string_view name);

// ---- small node helpers shared by the language files ------------------------------------------

inline std::string_view NodeText(TSNode node, std::string_view source) {
  if (ts_node_is_null(node)) return {};
  uint32_t start = ts_node_start_byte(node);
  uint32_t end = ts_node_end_byte(node);
  if (start > end || end > source.size()) return {};
  return source.substr(start, end - start);
}

inline bool NodeIs(TSNode node, std::string_view type) {
  return !ts_node_is_null(node) && type == ts_node_type(node);
}

inline TSNode Field(TSNode node, std::string_view field) {
  return ts_node_child_by_field_name(node, field.data(), static_cast<uint32_t>(field.size()));
}

// The first named child of `node` whose type is `type` (null node when none).
TSNode ChildOfType(TSNode node, std::string_view type);

// `"x"`, `'x'`, `<x>`, `` `x` `` → x; other text unchanged.
std::string_view StripQuotes(std::string_view text);

}  // namespace engram::repo_index::internal
