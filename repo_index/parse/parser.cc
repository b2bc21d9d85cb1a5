// Generic extraction: one tree-sitter parse and one query pass per file, then scope resolution,
// doc comments, signatures and chunks. What differs per language lives in lang_<language>.cc.
//
// Query capture convention (every queries/<language>.scm follows it; README.md repeats it):
//   @def.<kind>     a definition node; <kind> is function method class struct enum interface trait
//                   type constant macro namespace union field variable (type = type alias)
//   @name           the definition's name token (optional: the spec's refine hook finds it)
//   @declarator     C/C++: the declarator to walk to the name (one match per declarator)
//   @scope          a node that qualifies the names inside it without being a symbol (Rust impl)
//   @scope.name     that scope's name
//   @ref.call       the name token of a call (last component: `a.b.c()` → `c`)
//   @ref.type       the name token of a type use
//   @import.local / @import.system / @import.module   the node holding an import's spec
//   @comment        a comment (doc comments are the ones right above a definition)
//   @error          an ERROR node, handed to the spec's extra_definitions hook (C, C++)
//   @_<anything>    a helper capture for predicates; #eq?, #not-eq?, #any-of? are supported
#include "repo_index/parse/parser.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>

#include "absl/status/status.h"
#include "repo_index/parse/chunker.h"
#include "repo_index/parse/define_table.h"
#include "repo_index/parse/language_spec.h"
#include "repo_index/parse/text_util.h"

namespace engram::repo_index {
namespace {

using internal::DefCandidate;
using internal::LanguageSpec;
using internal::ScopeCandidate;

constexpr size_t kMaxSignatureBytes = 200;
constexpr size_t kMaxDocBytes = 4096;
constexpr int kMaxDocComments = 64;
constexpr uint32_t kQueryMatchLimit = 4096;

// ---- compiled queries (once per process and language) -------------------------------------------

enum class Role : uint8_t {
  kIgnore,
  kDefinition,
  kName,
  kDeclarator,
  kScope,
  kScopeName,
  kRefCall,
  kRefType,
  kImportLocal,
  kImportSystem,
  kImportModule,
  kComment,
  kError,
};

struct CaptureInfo {
  Role role = Role::kIgnore;
  SymbolKind kind = SymbolKind::kFunction;
};

struct TextPredicate {
  enum class Op : uint8_t { kEq, kNotEq, kAnyOf, kNotAnyOf };
  Op op = Op::kEq;
  uint32_t capture = 0;
  std::vector<std::string> values;
};

struct CompiledQuery {
  TSQuery* query = nullptr;  // process lifetime, immutable after compilation
  std::vector<CaptureInfo> captures;
  std::vector<std::vector<TextPredicate>> predicates;  // per pattern
};

bool KindFromName(std::string_view name, SymbolKind* kind) {
  struct Entry {
    std::string_view name;
    SymbolKind kind;
  };
  static constexpr std::array<Entry, 14> kKinds = {{
      {"function", SymbolKind::kFunction},   {"method", SymbolKind::kMethod},
      {"class", SymbolKind::kClass},         {"struct", SymbolKind::kStruct},
      {"enum", SymbolKind::kEnum},           {"interface", SymbolKind::kInterface},
      {"trait", SymbolKind::kTrait},         {"type", SymbolKind::kTypeAlias},
      {"constant", SymbolKind::kConstant},   {"macro", SymbolKind::kMacro},
      {"namespace", SymbolKind::kNamespace}, {"union", SymbolKind::kUnion},
      {"field", SymbolKind::kField},         {"variable", SymbolKind::kVariable},
  }};
  for (const Entry& entry : kKinds) {
    if (entry.name == name) {
      *kind = entry.kind;
      return true;
    }
  }
  return false;
}

[[noreturn]] void DieOnBadQuery(std::string_view language, std::string_view what) {
  // The query files are compiled into the binary and tested: a failure here is a programmer error.
  std::fprintf(stderr, "parse: query for '%.*s' is invalid: %.*s\n", static_cast<int>(language.size()),
               language.data(), static_cast<int>(what.size()), what.data());
  std::abort();
}

CompiledQuery Compile(const LanguageSpec& spec) {
  CompiledQuery compiled;
  std::string_view source = internal::EmbeddedQuery(spec.query_name);
  if (source.empty()) DieOnBadQuery(spec.query_name, "no embedded query file");
  uint32_t error_offset = 0;
  TSQueryError error = TSQueryErrorNone;
  compiled.query = ts_query_new(spec.grammar(), source.data(), static_cast<uint32_t>(source.size()),
                                &error_offset, &error);
  if (compiled.query == nullptr) {
    size_t line_start = source.rfind('\n', error_offset == 0 ? 0 : error_offset - 1);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    std::string_view line = source.substr(line_start, source.find('\n', line_start) - line_start);
    DieOnBadQuery(spec.query_name, "error " + std::to_string(static_cast<int>(error)) + " at offset " +
                                       std::to_string(error_offset) + ": " + std::string(line));
  }
  uint32_t capture_count = ts_query_capture_count(compiled.query);
  compiled.captures.resize(capture_count);
  for (uint32_t i = 0; i < capture_count; ++i) {
    uint32_t length = 0;
    const char* raw = ts_query_capture_name_for_id(compiled.query, i, &length);
    std::string_view name(raw, length);
    CaptureInfo& info = compiled.captures[i];
    if (name.starts_with("def.")) {
      if (!KindFromName(name.substr(4), &info.kind)) DieOnBadQuery(spec.query_name, name);
      info.role = Role::kDefinition;
    } else if (name == "name") {
      info.role = Role::kName;
    } else if (name == "declarator") {
      info.role = Role::kDeclarator;
    } else if (name == "scope") {
      info.role = Role::kScope;
    } else if (name == "scope.name") {
      info.role = Role::kScopeName;
    } else if (name == "ref.call") {
      info.role = Role::kRefCall;
    } else if (name == "ref.type") {
      info.role = Role::kRefType;
    } else if (name == "import.local") {
      info.role = Role::kImportLocal;
    } else if (name == "import.system") {
      info.role = Role::kImportSystem;
    } else if (name == "import.module") {
      info.role = Role::kImportModule;
    } else if (name == "comment") {
      info.role = Role::kComment;
    } else if (name == "error") {
      info.role = Role::kError;
    } else if (!name.starts_with("_")) {
      DieOnBadQuery(spec.query_name, "unknown capture @" + std::string(name));
    }
  }
  uint32_t pattern_count = ts_query_pattern_count(compiled.query);
  compiled.predicates.resize(pattern_count);
  for (uint32_t pattern = 0; pattern < pattern_count; ++pattern) {
    uint32_t step_count = 0;
    const TSQueryPredicateStep* steps = ts_query_predicates_for_pattern(compiled.query, pattern, &step_count);
    uint32_t i = 0;
    while (i < step_count) {
      uint32_t end = i;
      while (end < step_count && steps[end].type != TSQueryPredicateStepTypeDone) ++end;
      if (end > i && steps[i].type == TSQueryPredicateStepTypeString) {
        uint32_t length = 0;
        std::string_view op(ts_query_string_value_for_id(compiled.query, steps[i].value_id, &length), 0);
        op = std::string_view(ts_query_string_value_for_id(compiled.query, steps[i].value_id, &length), length);
        TextPredicate predicate;
        bool known = true;
        if (op == "eq?") {
          predicate.op = TextPredicate::Op::kEq;
        } else if (op == "not-eq?") {
          predicate.op = TextPredicate::Op::kNotEq;
        } else if (op == "any-of?") {
          predicate.op = TextPredicate::Op::kAnyOf;
        } else if (op == "not-any-of?") {
          predicate.op = TextPredicate::Op::kNotAnyOf;
        } else {
          known = false;  // directives such as #set! carry no filtering meaning for us
        }
        if (known) {
          if (end - i < 3 || steps[i + 1].type != TSQueryPredicateStepTypeCapture) {
            DieOnBadQuery(spec.query_name, "predicate #" + std::string(op) + " needs @capture and strings");
          }
          predicate.capture = steps[i + 1].value_id;
          for (uint32_t k = i + 2; k < end; ++k) {
            if (steps[k].type != TSQueryPredicateStepTypeString) {
              DieOnBadQuery(spec.query_name, "predicate #" + std::string(op) + " compares strings only");
            }
            predicate.values.emplace_back(ts_query_string_value_for_id(compiled.query, steps[k].value_id, &length),
                                          length);
          }
          compiled.predicates[pattern].push_back(std::move(predicate));
        }
      }
      i = end + 1;
    }
  }
  return compiled;
}

const CompiledQuery& QueryFor(const LanguageSpec& spec) {
  static std::array<std::once_flag, kLanguageCount> once;
  static std::array<CompiledQuery, kLanguageCount> compiled;
  size_t index = static_cast<size_t>(spec.language);
  std::call_once(once[index], [&] { compiled[index] = Compile(spec); });
  return compiled[index];
}

// ---- helpers -------------------------------------------------------------------------------------

struct Deadline {
  std::chrono::steady_clock::time_point at;
  bool expired = false;
};

bool ParseProgress(TSParseState* state) {
  auto* deadline = static_cast<Deadline*>(state->payload);
  if (std::chrono::steady_clock::now() > deadline->at) deadline->expired = true;
  return deadline->expired;
}

bool QueryProgress(TSQueryCursorState* state) {
  auto* deadline = static_cast<Deadline*>(state->payload);
  if (std::chrono::steady_clock::now() > deadline->at) deadline->expired = true;
  return deadline->expired;
}

struct StringInput {
  std::string_view text;
};

const char* ReadInput(void* payload, uint32_t byte_index, TSPoint, uint32_t* bytes_read) {
  auto* input = static_cast<StringInput*>(payload);
  if (byte_index >= input->text.size()) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = static_cast<uint32_t>(input->text.size() - byte_index);
  return input->text.data() + byte_index;
}

SourceRange RangeOf(uint32_t start_byte, TSPoint start, uint32_t end_byte, TSPoint end) {
  SourceRange range;
  range.start_byte = start_byte;
  range.end_byte = end_byte;
  range.start_line = start.row + 1;
  range.start_column = start.column;
  range.end_line = end.row + 1;
  range.end_column = end.column;
  // A node that ends with its newline (a #define) ends on the line before.
  if (end.column == 0 && end.row > start.row) range.end_line = end.row;
  return range;
}

SourceRange RangeOf(TSNode node) {
  return RangeOf(ts_node_start_byte(node), ts_node_start_point(node), ts_node_end_byte(node),
                 ts_node_end_point(node));
}

bool OpensScope(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kFunction:
    case SymbolKind::kMethod:
    case SymbolKind::kClass:
    case SymbolKind::kStruct:
    case SymbolKind::kEnum:
    case SymbolKind::kInterface:
    case SymbolKind::kTrait:
    case SymbolKind::kNamespace:
    case SymbolKind::kUnion:
      return true;
    default:
      return false;
  }
}

bool IsTypeLike(SymbolKind kind) {
  return kind == SymbolKind::kClass || kind == SymbolKind::kStruct || kind == SymbolKind::kInterface ||
         kind == SymbolKind::kTrait || kind == SymbolKind::kUnion || kind == SymbolKind::kEnum;
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

struct CommentSpan {
  uint32_t start_byte;
  uint32_t end_byte;
};

// True when only whitespace separates `from` and `to`, with at most `max_newlines` line breaks, and
// every full line in between starts with one of `skip_prefixes`.
bool OnlySpaceBetween(std::string_view source, uint32_t from, uint32_t to, int max_newlines,
                      std::span<const std::string_view> skip_prefixes) {
  if (from > to || to > source.size()) return false;
  std::string_view between = source.substr(from, to - from);
  size_t first_newline = between.find('\n');
  if (first_newline == std::string_view::npos) return IsBlank(between);
  if (!IsBlank(between.substr(0, first_newline))) return false;
  size_t last_newline = between.rfind('\n');
  if (!IsBlank(between.substr(last_newline + 1))) return false;
  int newlines = 1;
  size_t pos = first_newline + 1;
  while (pos <= last_newline) {
    size_t next = between.find('\n', pos);
    std::string_view line = between.substr(pos, next - pos);
    ++newlines;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return false;  // a blank line ends the doc block
    bool skipped = false;
    for (std::string_view prefix : skip_prefixes) {
      if (line.substr(first).starts_with(prefix)) skipped = true;
    }
    if (!skipped) return false;
    --newlines;  // a skipped line does not count against the limit
    pos = next + 1;
  }
  return newlines <= max_newlines;
}

bool StartsLine(std::string_view source, uint32_t byte) {
  size_t line_start = source.rfind('\n', byte == 0 ? 0 : byte - 1);
  line_start = (byte == 0 || line_start == std::string_view::npos) ? 0 : line_start + 1;
  if (byte == 0) return true;
  return IsBlank(source.substr(line_start, byte - line_start));
}

// The comment block ending right above `anchor` (start byte), as the index of its first comment.
// `comments` is sorted by start byte. Returns -1 when there is none.
int DocBlockStart(std::string_view source, const std::vector<CommentSpan>& comments, uint32_t anchor,
                  std::span<const std::string_view> skip_prefixes) {
  auto it = std::lower_bound(comments.begin(), comments.end(), anchor,
                             [](const CommentSpan& c, uint32_t byte) { return c.end_byte <= byte; });
  int index = static_cast<int>(it - comments.begin()) - 1;
  if (index < 0) return -1;
  if (!OnlySpaceBetween(source, comments[index].end_byte, anchor, 1, skip_prefixes)) return -1;
  if (!StartsLine(source, comments[index].start_byte)) return -1;
  int first = index;
  int taken = 1;
  while (first > 0 && taken < kMaxDocComments &&
         OnlySpaceBetween(source, comments[first - 1].end_byte, comments[first].start_byte, 1, {}) &&
         StartsLine(source, comments[first - 1].start_byte)) {
    --first;
    ++taken;
  }
  return first;
}

std::string PythonDocstring(TSNode definition, std::string_view source) {
  TSNode body = internal::Field(definition, "body");
  if (ts_node_is_null(body) || ts_node_named_child_count(body) == 0) return {};
  TSNode first = ts_node_named_child(body, 0);
  if (!internal::NodeIs(first, "expression_statement") || ts_node_named_child_count(first) != 1) return {};
  TSNode literal = ts_node_named_child(first, 0);
  if (!internal::NodeIs(literal, "string")) return {};
  return internal::CleanDocstring(internal::NodeText(literal, source));
}

std::string Signature(std::string_view source, uint32_t start_byte, uint32_t name_end_byte) {
  // Start at the line's start when what precedes the definition on its line is part of its head
  // (`export`, `template <...>`, a macro tree-sitter split off), not another statement.
  size_t line_start = start_byte == 0 ? 0 : source.rfind('\n', start_byte - 1);
  line_start = line_start == std::string_view::npos ? 0 : (start_byte == 0 ? 0 : line_start + 1);
  std::string_view before = source.substr(line_start, start_byte - line_start);
  if (!IsBlank(before) && before.find_first_of(";{}") == std::string_view::npos && before.size() < 200) {
    start_byte = static_cast<uint32_t>(line_start);
  }
  size_t end = source.find('\n', std::max(start_byte, name_end_byte == 0 ? 0 : name_end_byte - 1));
  if (end == std::string_view::npos) end = source.size();
  if (end < start_byte) end = start_byte;
  // Bound the work on pathological lines: the result is at most kMaxSignatureBytes anyway.
  size_t length = std::min<size_t>(end - start_byte, 64 * kMaxSignatureBytes);
  std::string signature = internal::ToValidUtf8(internal::CollapseWhitespace(source.substr(start_byte, length)));
  signature.resize(internal::Utf8Prefix(signature, kMaxSignatureBytes));
  return signature;
}

bool PredicatesHold(const CompiledQuery& compiled, const TSQueryMatch& match, std::string_view source) {
  if (match.pattern_index >= compiled.predicates.size()) return true;
  for (const TextPredicate& predicate : compiled.predicates[match.pattern_index]) {
    std::string_view text;
    bool found = false;
    for (uint16_t i = 0; i < match.capture_count; ++i) {
      if (match.captures[i].index == predicate.capture) {
        text = internal::NodeText(match.captures[i].node, source);
        found = true;
        break;
      }
    }
    if (!found) continue;
    bool any = std::find(predicate.values.begin(), predicate.values.end(), text) != predicate.values.end();
    switch (predicate.op) {
      case TextPredicate::Op::kEq:
      case TextPredicate::Op::kAnyOf:
        if (!any) return false;
        break;
      case TextPredicate::Op::kNotEq:
      case TextPredicate::Op::kNotAnyOf:
        if (any) return false;
        break;
    }
  }
  return true;
}

struct RawReference {
  uint32_t start_byte;
  ReferenceKind kind;
  TSNode node;
};

struct RawImport {
  uint32_t start_byte;
  uint32_t line;
  ImportKind kind;
  std::string spec;
};

// Everything one query pass collects from a tree.
struct Collected {
  std::vector<DefCandidate> definitions;
  std::vector<ScopeCandidate> scopes;
  std::vector<RawReference> references;
  std::vector<RawImport> imports;
  std::vector<CommentSpan> comments;
  std::vector<TSNode> errors;
};

void AddImports(const LanguageSpec& spec, TSNode node, ImportKind kind, std::string_view source,
                Collected* out) {
  std::vector<std::string> specs;
  if (spec.expand_import != nullptr) {
    spec.expand_import(node, source, &specs);
  } else {
    specs.emplace_back(internal::StripQuotes(internal::NodeText(node, source)));
  }
  uint32_t line = ts_node_start_point(node).row + 1;
  for (std::string& text : specs) {
    if (text.empty()) continue;
    out->imports.push_back({ts_node_start_byte(node), line, kind, internal::ToValidUtf8(text)});
  }
}

// ---- symbols -------------------------------------------------------------------------------------

// A definition or a pure scope, ordered for the nesting sweep.
struct Entry {
  uint32_t start;
  uint32_t end;
  int symbol;  // index into the symbol list, or -1 for a scope
  int scope;   // index into Collected::scopes, or -1
};

struct Built {
  std::vector<Symbol> symbols;
  std::vector<uint32_t> head_lines;
};

Built BuildSymbols(const LanguageSpec& spec, std::string_view source, Collected& collected) {
  Built built;
  auto& defs = collected.definitions;
  for (DefCandidate& def : defs) {
    def.opens_scope = def.force_scope || OpensScope(def.kind);
  }
  auto def_end = [](const DefCandidate& def) {
    return ts_node_end_byte(ts_node_is_null(def.end_node) ? def.node : def.end_node);
  };
  std::stable_sort(defs.begin(), defs.end(), [&](const DefCandidate& a, const DefCandidate& b) {
    uint32_t as = ts_node_start_byte(a.node), bs = ts_node_start_byte(b.node);
    if (as != bs) return as < bs;
    uint32_t ae = def_end(a), be = def_end(b);
    if (ae != be) return ae > be;
    return ts_node_start_byte(a.name) < ts_node_start_byte(b.name);
  });
  // Drop duplicates: the same definition node and name matched by several patterns.
  // Also drop a second definition of the same kind at the same name token (a function found both
  // by the query and by a recovery hook); the first, outermost one stays.
  std::vector<DefCandidate> unique;
  unique.reserve(defs.size());
  std::unordered_set<uint64_t> seen_names;
  for (DefCandidate& def : defs) {
    if (!unique.empty() && ts_node_start_byte(unique.back().node) == ts_node_start_byte(def.node) &&
        def_end(unique.back()) == def_end(def) &&
        ts_node_start_byte(unique.back().name) == ts_node_start_byte(def.name)) {
      continue;
    }
    uint64_t key = (static_cast<uint64_t>(ts_node_start_byte(def.name)) << 8) | static_cast<uint64_t>(def.kind);
    if (!seen_names.insert(key).second) continue;
    unique.push_back(std::move(def));
  }
  defs = std::move(unique);

  std::vector<Entry> entries;
  entries.reserve(defs.size() + collected.scopes.size());
  for (size_t i = 0; i < defs.size(); ++i) {
    entries.push_back({ts_node_start_byte(defs[i].node), def_end(defs[i]), static_cast<int>(i), -1});
  }
  for (size_t i = 0; i < collected.scopes.size(); ++i) {
    const ScopeCandidate& scope = collected.scopes[i];
    entries.push_back({ts_node_start_byte(scope.node), ts_node_end_byte(scope.node), -1, static_cast<int>(i)});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end > b.end;
    return a.scope > b.scope;  // a scope encloses a definition with the same range
  });

  struct Open {
    uint32_t end;
    int symbol;             // -1 for a scope
    std::string qualified;  // qualified name of the scope it opens
    bool type_like;         // functions directly inside become methods
  };
  std::vector<Open> stack;
  built.symbols.reserve(defs.size());
  built.head_lines.reserve(defs.size());
  for (const Entry& entry : entries) {
    while (!stack.empty() && entry.start >= stack.back().end) stack.pop_back();
    // Containment also needs the end inside; a partial overlap does not nest.
    while (!stack.empty() && entry.end > stack.back().end) stack.pop_back();
    std::string container = stack.empty() ? std::string() : stack.back().qualified;
    int parent = -1;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
      if (it->symbol >= 0) {
        parent = it->symbol;
        break;
      }
    }
    auto qualify = [&](std::string_view prefix, std::string_view name) {
      std::string qualified = container;
      if (!prefix.empty()) {
        if (!qualified.empty()) qualified.append(spec.separator);
        qualified.append(prefix);
      }
      if (!qualified.empty()) qualified.append(spec.separator);
      qualified.append(name);
      return qualified;
    };
    if (entry.scope >= 0) {
      const ScopeCandidate& scope = collected.scopes[entry.scope];
      stack.push_back({entry.end, -1, qualify("", scope.name), true});
      continue;
    }
    DefCandidate& def = defs[entry.symbol];
    Symbol symbol;
    symbol.name = internal::ToValidUtf8(internal::NodeText(def.name, source));
    if (symbol.name.empty()) continue;
    symbol.kind = def.kind;
    if (symbol.kind == SymbolKind::kFunction && !stack.empty() && stack.back().type_like) {
      symbol.kind = SymbolKind::kMethod;
    }
    symbol.qualified_name = qualify(internal::ToValidUtf8(def.prefix), symbol.name);
    TSNode last = ts_node_is_null(def.end_node) ? def.node : def.end_node;
    symbol.range = RangeOf(ts_node_start_byte(def.node), ts_node_start_point(def.node), ts_node_end_byte(last),
                           ts_node_end_point(last));
    symbol.name_range = RangeOf(def.name);
    symbol.signature = Signature(source, symbol.range.start_byte, symbol.name_range.end_byte);
    symbol.parent = parent;

    // Doc comment: above the definition, else above its wrappers (export, template, decorators).
    // The chunk head starts at the outermost wrapper or at the doc comment, whichever is first.
    TSNode anchor = def.node;
    TSNode doc_anchor = def.node;
    int doc_start = DocBlockStart(source, collected.comments, ts_node_start_byte(anchor), spec.doc_skip_line_prefixes);
    for (int depth = 0; depth < 4 && !spec.doc_wrapper_types.empty(); ++depth) {
      TSNode up = ts_node_parent(anchor);
      if (ts_node_is_null(up) || std::find(spec.doc_wrapper_types.begin(), spec.doc_wrapper_types.end(),
                                           std::string_view(ts_node_type(up))) == spec.doc_wrapper_types.end()) {
        break;
      }
      anchor = up;
      if (doc_start < 0) {
        doc_start = DocBlockStart(source, collected.comments, ts_node_start_byte(anchor), spec.doc_skip_line_prefixes);
        doc_anchor = anchor;
      }
    }
    uint32_t head_line = ts_node_start_point(anchor).row + 1;
    if (spec.python_docstrings) symbol.doc = PythonDocstring(def.node, source);
    uint32_t doc_anchor_byte = ts_node_start_byte(doc_anchor);
    if (doc_start >= 0 && collected.comments[doc_start].start_byte < doc_anchor_byte) {
      const auto& comments = collected.comments;
      if (symbol.doc.empty()) {
        std::string doc;
        for (size_t c = static_cast<size_t>(doc_start); c < comments.size() && comments[c].end_byte <= doc_anchor_byte;
             ++c) {
          std::string part = internal::StripCommentMarkers(
              source.substr(comments[c].start_byte, comments[c].end_byte - comments[c].start_byte));
          if (part.empty()) continue;
          if (!doc.empty()) doc.push_back('\n');
          doc.append(part);
          if (doc.size() > kMaxDocBytes) break;
        }
        symbol.doc = std::move(doc);
      }
      uint32_t comment_byte = comments[doc_start].start_byte;
      // Line of the first comment: count newlines back from the doc anchor (the block is short).
      uint32_t lines_above = 0;
      for (uint32_t b = comment_byte; b < doc_anchor_byte; ++b) lines_above += source[b] == '\n';
      uint32_t doc_anchor_line = ts_node_start_point(doc_anchor).row + 1;
      uint32_t comment_line = doc_anchor_line > lines_above ? doc_anchor_line - lines_above : 1;
      head_line = std::min(head_line, comment_line);
    }
    head_line = std::min(head_line, symbol.range.start_line);
    if (!symbol.doc.empty()) {
      symbol.doc = internal::ToValidUtf8(symbol.doc);
      symbol.doc.resize(internal::Utf8Prefix(symbol.doc, kMaxDocBytes));
    }

    int index = static_cast<int>(built.symbols.size());
    bool opens = def.opens_scope;
    bool type_like = IsTypeLike(symbol.kind);
    std::string qualified = symbol.qualified_name;
    built.symbols.push_back(std::move(symbol));
    built.head_lines.push_back(head_line);
    if (opens) stack.push_back({entry.end, index, std::move(qualified), type_like});
  }
  return built;
}

std::vector<Reference> BuildReferences(std::string_view source, const std::vector<Symbol>& symbols,
                                       std::vector<RawReference>& raw) {
  std::vector<uint32_t> name_starts;
  name_starts.reserve(symbols.size());
  for (const Symbol& symbol : symbols) name_starts.push_back(symbol.name_range.start_byte);
  std::sort(name_starts.begin(), name_starts.end());
  std::sort(raw.begin(), raw.end(), [](const RawReference& a, const RawReference& b) {
    if (a.start_byte != b.start_byte) return a.start_byte < b.start_byte;
    return a.kind < b.kind;  // kCall first: a constructor call is not also a type use
  });
  std::vector<Reference> references;
  references.reserve(raw.size());
  std::vector<int> stack;  // symbols enclosing the current position (indices, outer first)
  size_t next_symbol = 0;
  uint32_t last_start = UINT32_MAX;
  for (const RawReference& ref : raw) {
    if (ref.start_byte == last_start) continue;
    last_start = ref.start_byte;
    if (std::binary_search(name_starts.begin(), name_starts.end(), ref.start_byte)) continue;
    // Symbols are sorted by start; open the ones starting before this reference.
    while (next_symbol < symbols.size() && symbols[next_symbol].range.start_byte <= ref.start_byte) {
      while (!stack.empty() && symbols[stack.back()].range.end_byte <= symbols[next_symbol].range.start_byte) {
        stack.pop_back();
      }
      stack.push_back(static_cast<int>(next_symbol));
      ++next_symbol;
    }
    while (!stack.empty() && symbols[stack.back()].range.end_byte <= ref.start_byte) stack.pop_back();
    // The innermost symbol on the stack that contains the reference (a partially overlapping
    // sibling can sit above it).
    int enclosing = -1;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
      const SourceRange& range = symbols[*it].range;
      if (range.start_byte <= ref.start_byte && ref.start_byte < range.end_byte) {
        enclosing = *it;
        break;
      }
    }
    Reference reference;
    reference.name = internal::ToValidUtf8(internal::NodeText(ref.node, source));
    if (reference.name.empty()) continue;
    reference.kind = ref.kind;
    reference.range = RangeOf(ref.node);
    reference.enclosing = enclosing;
    references.push_back(std::move(reference));
  }
  return references;
}

}  // namespace

struct Parser::Impl {
  TSParser* parser = nullptr;
  TSQueryCursor* cursor = nullptr;
  Impl() : parser(ts_parser_new()), cursor(ts_query_cursor_new()) {
    ts_query_cursor_set_match_limit(cursor, kQueryMatchLimit);
  }
  ~Impl() {
    ts_query_cursor_delete(cursor);
    ts_parser_delete(parser);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

Parser::Parser() : impl_(std::make_unique<Impl>()) {}
Parser::~Parser() = default;

bool HasGrammar(Language language) { return internal::SpecFor(language) != nullptr; }

absl::StatusOr<FileFacts> Parser::Parse(Language language, std::string_view source,
                                        const ParseOptions& options) {
  const LanguageSpec* spec = internal::SpecFor(language);
  if (spec == nullptr) {
    return absl::InvalidArgumentError("parse: no grammar for language '" + std::string(LanguageName(language)) +
                                      "'");
  }
  if (source.size() > options.max_bytes || source.size() >= UINT32_MAX) {
    return absl::InvalidArgumentError("parse: source of " + std::to_string(source.size()) +
                                      " bytes is over the limit of " + std::to_string(options.max_bytes) +
                                      " bytes");
  }
  if (std::optional<FileFacts> table = ParseDefineTable(language, source, options)) return std::move(*table);
  const CompiledQuery& compiled = QueryFor(*spec);
  TSParser* parser = impl_->parser;
  if (!ts_parser_set_language(parser, spec->grammar())) {
    return absl::InternalError("parse: grammar of '" + std::string(LanguageName(language)) +
                               "' has an incompatible ABI version");
  }
  Deadline deadline{std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms)};
  StringInput input{source};
  TSInput ts_input{&input, ReadInput, TSInputEncodingUTF8, nullptr};
  TSParseOptions parse_options{&deadline, ParseProgress};
  TSTree* tree = ts_parser_parse_with_options(parser, nullptr, ts_input, parse_options);
  if (tree == nullptr) {
    ts_parser_reset(parser);
    if (deadline.expired) {
      return absl::DeadlineExceededError("parse: " + std::string(LanguageName(language)) + " source of " +
                                         std::to_string(source.size()) + " bytes took over " +
                                         std::to_string(options.timeout_ms) + " ms");
    }
    return absl::InternalError("parse: tree-sitter returned no tree");
  }
  std::unique_ptr<TSTree, void (*)(TSTree*)> tree_owner(tree, ts_tree_delete);
  TSNode root = ts_tree_root_node(tree);

  FileFacts facts;
  facts.has_syntax_errors = ts_node_has_error(root);

  Collected collected;
  TSQueryCursor* cursor = impl_->cursor;
  TSQueryCursorOptions query_options{&deadline, QueryProgress};
  ts_query_cursor_exec_with_options(cursor, compiled.query, root, &query_options);
  TSQueryMatch match;
  while (ts_query_cursor_next_match(cursor, &match)) {
    if (!compiled.predicates[match.pattern_index].empty() && !PredicatesHold(compiled, match, source)) continue;
    DefCandidate def;
    bool has_def = false;
    ScopeCandidate scope;
    bool has_scope = false;
    for (uint16_t i = 0; i < match.capture_count; ++i) {
      const TSQueryCapture& capture = match.captures[i];
      const CaptureInfo& info = compiled.captures[capture.index];
      switch (info.role) {
        case Role::kDefinition:
          def.node = capture.node;
          def.kind = info.kind;
          has_def = true;
          break;
        case Role::kName:
          def.name = capture.node;
          break;
        case Role::kDeclarator:
          def.declarator = capture.node;
          break;
        case Role::kScope:
          scope.node = capture.node;
          has_scope = true;
          break;
        case Role::kScopeName:
          scope.name = internal::ToValidUtf8(internal::NodeText(capture.node, source));
          break;
        case Role::kRefCall:
          collected.references.push_back({ts_node_start_byte(capture.node), ReferenceKind::kCall, capture.node});
          break;
        case Role::kRefType:
          collected.references.push_back({ts_node_start_byte(capture.node), ReferenceKind::kType, capture.node});
          break;
        case Role::kImportLocal:
          AddImports(*spec, capture.node, ImportKind::kIncludeLocal, source, &collected);
          break;
        case Role::kImportSystem:
          AddImports(*spec, capture.node, ImportKind::kIncludeSystem, source, &collected);
          break;
        case Role::kImportModule:
          AddImports(*spec, capture.node, ImportKind::kModule, source, &collected);
          break;
        case Role::kComment: {
          // Some grammars end a line comment after its newline; the comment ends before it.
          uint32_t start = ts_node_start_byte(capture.node);
          uint32_t end = ts_node_end_byte(capture.node);
          while (end > start && end <= source.size() && (source[end - 1] == '\n' || source[end - 1] == '\r')) --end;
          collected.comments.push_back({start, end});
          break;
        }
        case Role::kError:
          collected.errors.push_back(capture.node);
          break;
        case Role::kIgnore:
          break;
      }
    }
    if (has_def) {
      bool keep = spec->refine != nullptr ? spec->refine(def, source) : !ts_node_is_null(def.name);
      if (keep && !ts_node_is_null(def.name)) collected.definitions.push_back(std::move(def));
    }
    if (has_scope && !scope.name.empty()) collected.scopes.push_back(std::move(scope));
  }
  if (deadline.expired) {
    return absl::DeadlineExceededError("parse: querying " + std::string(LanguageName(language)) + " source of " +
                                       std::to_string(source.size()) + " bytes took over " +
                                       std::to_string(options.timeout_ms) + " ms");
  }
  if (spec->extra_definitions != nullptr) {
    spec->extra_definitions(root, collected.errors, source, &collected.definitions);
  }

  std::sort(collected.comments.begin(), collected.comments.end(),
            [](const CommentSpan& a, const CommentSpan& b) { return a.start_byte < b.start_byte; });
  Built built = BuildSymbols(*spec, source, collected);
  facts.references = BuildReferences(source, built.symbols, collected.references);

  std::stable_sort(collected.imports.begin(), collected.imports.end(),
                   [](const RawImport& a, const RawImport& b) { return a.start_byte < b.start_byte; });
  for (RawImport& raw : collected.imports) {
    Import import{std::move(raw.spec), raw.kind, raw.line};
    if (!facts.imports.empty() && facts.imports.back() == import) continue;
    facts.imports.push_back(std::move(import));
  }
  facts.chunks = internal::ChunkDefinitions(source, built.symbols, built.head_lines, options);
  facts.symbols = std::move(built.symbols);
  return facts;
}

}  // namespace engram::repo_index
