#include "repo_index/parse/c_family.h"

#include "repo_index/parse/text_util.h"

#include <cstring>
#include <utility>

namespace engram::repo_index::internal {
namespace {

bool IsNameNode(std::string_view type) {
  return type == "identifier" || type == "field_identifier" || type == "type_identifier" ||
         type == "destructor_name" || type == "operator_name" || type == "primitive_type" ||
         type == "namespace_identifier";
}

// C++ `A::B<T>::f` → prefix "A::B", name node `f`; other nodes pass through.
TSNode SplitQualified(TSNode node, std::string_view source, std::string* prefix) {
  for (int depth = 0; depth < kMaxHookDepth && NodeIs(node, "qualified_identifier"); ++depth) {
    TSNode scope = Field(node, "scope");
    std::string_view part;
    if (NodeIs(scope, "template_type")) {
      part = NodeText(Field(scope, "name"), source);
    } else if (!ts_node_is_null(scope)) {
      part = NodeText(scope, source);
    }
    if (!part.empty()) {
      if (!prefix->empty()) prefix->append("::");
      prefix->append(CollapseWhitespace(part));
    }
    node = Field(node, "name");
  }
  if (NodeIs(node, "template_function") || NodeIs(node, "template_type") ||
      NodeIs(node, "template_method")) {
    node = Field(node, "name");
  }
  return node;
}

bool HasStorageClass(TSNode node, std::string_view source, std::string_view storage) {
  uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(node, i);
    if (NodeIs(child, "storage_class_specifier") && NodeText(child, source) == storage) return true;
    if (NodeIs(child, "type")) break;
  }
  return false;
}

// `struct { ... }`, `union { ... }`, `enum { ... }` without a tag.
bool IsAnonymousBody(TSNode type) {
  if (!(NodeIs(type, "struct_specifier") || NodeIs(type, "union_specifier") ||
        NodeIs(type, "enum_specifier") || NodeIs(type, "class_specifier"))) {
    return false;
  }
  return ts_node_is_null(Field(type, "name")) && !ts_node_is_null(Field(type, "body"));
}

bool InsideClassBody(TSNode node) {
  TSNode parent = ts_node_parent(node);
  if (NodeIs(parent, "template_declaration")) parent = ts_node_parent(parent);
  return NodeIs(parent, "field_declaration_list");
}

bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool IsKeyword(std::string_view word) {
  static constexpr std::string_view kKeywords[] = {
      "if", "for", "while", "switch", "return", "sizeof", "do", "else", "case", "typeof",
      "__typeof__", "defined", "__attribute__", "asm", "__asm__", "_Generic", "alignof", "_Alignof",
      "catch", "decltype", "static_assert", "_Static_assert"};
  for (std::string_view keyword : kKeywords) {
    if (word == keyword) return true;
  }
  return false;
}

struct FunctionHead {
  TSNode start{};  // first token of the head's line
  TSNode name{};
};

// Reads `name(...)` backwards from the `{` at `brace` (see ExtraCFamilyDefinitions).
FunctionHead FindFunctionHead(TSNode container, uint32_t brace, std::string_view source) {
  constexpr size_t kMaxHeadBytes = 4096;
  size_t limit = brace > kMaxHeadBytes ? brace - kMaxHeadBytes : 0;
  size_t pos = brace;
  size_t name_start = 0, name_end = 0;
  bool found = false;
  for (int group = 0; group < 4 && !found; ++group) {
    // `)` right before (whitespace allowed).
    while (pos > limit && IsSpaceChar(source[pos - 1])) --pos;
    if (pos <= limit || source[pos - 1] != ')') return {};
    // The matching `(`; braces or semicolons mean this is not a parameter list.
    int depth = 0;
    size_t open = pos - 1;
    bool matched = false;
    while (open > limit) {
      char c = source[open];
      if (c == ')') ++depth;
      if (c == '(' && --depth == 0) {
        matched = true;
        break;
      }
      if (c == '{' || c == '}' || c == ';') return {};
      --open;
    }
    if (!matched) return {};
    size_t end = open;
    while (end > limit && (source[end - 1] == ' ' || source[end - 1] == '\t')) --end;
    size_t begin = end;
    while (begin > limit && IsIdentifierChar(source[begin - 1])) --begin;
    if (begin == end || (source[begin] >= '0' && source[begin] <= '9')) return {};
    // An annotation macro after the parameters (`f(...) __releases(x)`): look further back.
    size_t before = begin;
    while (before > limit && IsSpaceChar(source[before - 1])) --before;
    if (before > limit && source[before - 1] == ')') {
      pos = before;
      continue;
    }
    name_start = begin;
    name_end = end;
    found = true;
  }
  if (!found) return {};
  std::string_view name = source.substr(name_start, name_end - name_start);
  if (IsKeyword(name)) return {};
  size_t line_start = name_start;
  while (line_start > 0 && source[line_start - 1] != '\n') --line_start;
  if (line_start >= source.size() || IsSpaceChar(source[line_start]) || source[line_start] == '#') return {};
  FunctionHead head;
  TSNode name_node = ts_node_descendant_for_byte_range(container, static_cast<uint32_t>(name_start),
                                                       static_cast<uint32_t>(name_end));
  if (ts_node_is_null(name_node) || ts_node_start_byte(name_node) != name_start ||
      ts_node_end_byte(name_node) != name_end) {
    return {};
  }
  head.name = name_node;
  head.start = name_node;
  if (line_start >= ts_node_start_byte(container)) {
    TSNode first = ts_node_descendant_for_byte_range(container, static_cast<uint32_t>(line_start),
                                                     static_cast<uint32_t>(line_start + 1));
    if (!ts_node_is_null(first) && ts_node_start_byte(first) == line_start &&
        ts_node_end_byte(first) <= name_start) {
      head.start = first;
    }
  }
  return head;
}

}  // namespace

DeclaratorInfo ResolveDeclarator(TSNode declarator, std::string_view source) {
  DeclaratorInfo info;
  TSNode node = declarator;
  for (int depth = 0; depth < kMaxHookDepth && !ts_node_is_null(node); ++depth) {
    std::string_view type = ts_node_type(node);
    if (IsNameNode(type)) {
      info.name = node;
      return info;
    }
    if (type == "qualified_identifier" || type == "template_function" || type == "template_type") {
      info.name = SplitQualified(node, source, &info.prefix);
      if (!ts_node_is_null(info.name) && !IsNameNode(ts_node_type(info.name))) info.name = TSNode{};
      return info;
    }
    if (type == "function_declarator") {
      info.function = true;
    } else if (type == "pointer_declarator" || type == "array_declarator" ||
               type == "abstract_pointer_declarator") {
      info.function = false;
    } else if (type == "operator_cast") {
      info.name = node;
      info.function = true;
      return info;
    }
    TSNode next = Field(node, "declarator");
    if (ts_node_is_null(next)) {
      // parenthesized / attributed / reference declarators keep the inner one as a plain child.
      next = TSNode{};
      uint32_t count = ts_node_named_child_count(node);
      for (uint32_t i = 0; i < count; ++i) {
        TSNode child = ts_node_named_child(node, i);
        std::string_view child_type = ts_node_type(child);
        if (child_type == "attribute_declaration" || child_type == "attribute_specifier" ||
            child_type == "type_qualifier" || child_type == "ms_call_modifier" ||
            child_type == "comment") {
          continue;
        }
        next = child;
        break;
      }
    }
    node = next;
  }
  return info;
}

bool RefineCFamily(DefCandidate& def, std::string_view source, bool cpp) {
  std::string_view type = ts_node_type(def.node);
  if (!ts_node_is_null(def.name)) {
    // Tagged types and namespaces: C++ may qualify or template the name.
    std::string_view name_type = ts_node_type(def.name);
    if (name_type == "qualified_identifier" || name_type == "template_type") {
      def.name = SplitQualified(def.name, source, &def.prefix);
    } else if (name_type == "nested_namespace_specifier") {
      // `namespace a::b {` → name "b", prefix "a".
      std::string_view text = NodeText(def.name, source);
      std::string collapsed = CollapseWhitespace(text);
      size_t cut = collapsed.rfind("::");
      if (cut != std::string::npos) {
        def.prefix = collapsed.substr(0, cut);
        uint32_t count = ts_node_named_child_count(def.name);
        if (count > 0) def.name = ts_node_named_child(def.name, count - 1);
        for (int depth = 0; depth < kMaxHookDepth && NodeIs(def.name, "nested_namespace_specifier");
             ++depth) {
          uint32_t n = ts_node_named_child_count(def.name);
          if (n == 0) break;
          def.name = ts_node_named_child(def.name, n - 1);
        }
      }
    }
    return !ts_node_is_null(def.name) && ts_node_end_byte(def.name) > ts_node_start_byte(def.name);
  }

  TSNode declarator = def.declarator;
  if (ts_node_is_null(declarator)) declarator = Field(def.node, "declarator");
  if (ts_node_is_null(declarator)) return false;
  DeclaratorInfo info = ResolveDeclarator(declarator, source);
  if (ts_node_is_null(info.name)) return false;
  def.name = info.name;
  def.prefix = std::move(info.prefix);

  if (type == "function_definition") {
    // An indented "function" inside a body is a statement misparsed: `for_each_cpu(cpu) {`. (One
    // at column 0 is a real function that error recovery pulled into the previous body.)
    if (ts_node_start_point(def.node).column > 0 && NodeIs(ts_node_parent(def.node), "compound_statement")) {
      return false;
    }
    // `MACRO(x) {` and `T __attr name(void) {` misparse as a type followed by a parenthesized
    // declarator: the function's name is that "type" (as ctags reports it).
    // Likewise `T __attribute__((x)) name(args) {` reads as a macro type `name(args)`.
    TSNode return_type = Field(def.node, "type");
    if (!info.function && NodeIs(return_type, "type_identifier")) def.name = return_type;
    if (!info.function && NodeIs(return_type, "macro_type_specifier")) def.name = Field(return_type, "name");
    if (ts_node_is_null(def.name) || ts_node_end_byte(def.name) == ts_node_start_byte(def.name)) return false;
    def.kind = (cpp && !def.prefix.empty()) ? SymbolKind::kMethod : SymbolKind::kFunction;
    return true;
  }
  if (type == "type_definition") {
    if (NodeIs(def.name, "primitive_type")) return false;
    def.kind = SymbolKind::kTypeAlias;
    if (IsAnonymousBody(Field(def.node, "type"))) def.force_scope = true;
    return true;
  }
  if (type == "field_declaration" || (cpp && InsideClassBody(def.node))) {
    def.kind = (cpp && info.function) ? SymbolKind::kMethod : SymbolKind::kField;
    if (NodeIs(def.name, "primitive_type")) return false;
    return true;
  }
  // File-scope declarations: variables. Prototypes and extern declarations declare, not define.
  if (info.function || NodeIs(def.name, "primitive_type") || NodeIs(def.name, "type_identifier")) {
    return false;
  }
  if (HasStorageClass(def.node, source, "extern") || ts_node_has_error(def.node)) return false;
  def.kind = SymbolKind::kVariable;
  return true;
}

void ExtraCFamilyDefinitions(TSNode root, std::span<const TSNode> errors, std::string_view source,
                             std::vector<DefCandidate>* out) {
  // Containers whose children are file-scope items; walked with an explicit, bounded stack.
  std::vector<std::pair<TSNode, int>> stack = {{root, 0}};
  for (TSNode error : errors) stack.emplace_back(error, kMaxHookDepth - 1);  // children only
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  while (!stack.empty()) {
    auto [container, depth] = stack.back();
    stack.pop_back();
    ts_tree_cursor_reset(&cursor, container);
    if (!ts_tree_cursor_goto_first_child(&cursor)) continue;
    TSNode pending_head{};  // an expression_statement `MACRO(...)` waiting for its body
    TSNode pending_name{};
    do {
      TSNode child = ts_tree_cursor_current_node(&cursor);
      if (!ts_node_is_named(child)) continue;
      std::string_view type = ts_node_type(child);
      if (type == "comment") continue;
      if (type == "compound_statement") {
        DefCandidate def;
        if (!ts_node_is_null(pending_head)) {
          def.node = pending_head;
          def.name = pending_name;
        } else {
          FunctionHead head = FindFunctionHead(container, ts_node_start_byte(child), source);
          def.node = head.start;
          def.name = head.name;
        }
        pending_head = TSNode{};
        if (ts_node_is_null(def.name)) continue;
        def.end_node = child;
        def.kind = SymbolKind::kFunction;
        out->push_back(std::move(def));
        continue;
      }
      pending_head = TSNode{};
      if (type == "expression_statement") {
        TSNode call = ts_node_named_child(child, 0);
        if (NodeIs(call, "call_expression")) {
          TSNode function = Field(call, "function");
          if (NodeIs(function, "identifier")) {
            pending_head = child;
            pending_name = function;
          }
        }
      } else if (depth + 1 < kMaxHookDepth &&
                 (type == "preproc_if" || type == "preproc_ifdef" || type == "preproc_else" ||
                  type == "preproc_elif" || type == "preproc_elifdef" || type == "linkage_specification" ||
                  type == "declaration_list" || type == "namespace_definition")) {
        if (type == "linkage_specification" || type == "namespace_definition") {
          TSNode body = Field(child, "body");
          if (NodeIs(body, "declaration_list")) stack.emplace_back(body, depth + 1);
        } else {
          stack.emplace_back(child, depth + 1);
        }
      }
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
}

}  // namespace engram::repo_index::internal
