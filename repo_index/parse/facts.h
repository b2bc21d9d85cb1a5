// What the parser extracts from one source file: definitions, references, imports and chunks.
//
// Plain values, no tree-sitter types: the store and the project memory consume them. Lines are
// 1-based, columns and bytes 0-based; a range's end is exclusive in bytes and inclusive in lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engram::repo_index {

enum class SymbolKind : uint8_t {
  kFunction = 0,
  kMethod,
  kClass,
  kStruct,
  kEnum,
  kInterface,
  kTrait,
  kTypeAlias,
  kConstant,
  kMacro,
  kNamespace,  // C++ namespace, Rust mod, Go/Java package scope when declared
  kUnion,
  kField,      // struct/class members and enum constants worth a name lookup
  kVariable,   // top-level variables
};
std::string_view SymbolKindName(SymbolKind kind);  // "function", "method", ..., "variable"

enum class ReferenceKind : uint8_t {
  kCall = 0,  // f(), obj.m(), new T(), macro invocations that look like calls
  kType,      // a type used in a declaration, base class, cast, generic argument
};
std::string_view ReferenceKindName(ReferenceKind kind);  // "call", "type"

enum class ImportKind : uint8_t {
  kIncludeLocal = 0,  // #include "x.h"
  kIncludeSystem,     // #include <x.h>
  kModule,            // import / use / require / from ... import
};
std::string_view ImportKindName(ImportKind kind);  // "include_local", "include_system", "module"

struct SourceRange {
  uint32_t start_line = 0;  // 1-based
  uint32_t start_column = 0;
  uint32_t end_line = 0;  // 1-based, inclusive
  uint32_t end_column = 0;
  uint32_t start_byte = 0;
  uint32_t end_byte = 0;  // exclusive
  bool operator==(const SourceRange&) const = default;
};

struct Symbol {
  std::string name;            // as written: "parse_header"
  SymbolKind kind = SymbolKind::kFunction;
  std::string qualified_name;  // scope chain + name, joined with the language's separator
                               // ("::" for C++/Rust, "." otherwise): "net::Http::parse_header"
  std::string signature;       // the declaration's first line, trimmed, at most 200 bytes
  std::string doc;             // the comment block right above (or the docstring), markers stripped
  SourceRange range;           // the whole definition
  SourceRange name_range;      // the name token
  int32_t parent = -1;         // index of the enclosing symbol in FileFacts::symbols, -1 at top level
  bool operator==(const Symbol&) const = default;
};

struct Reference {
  std::string name;  // the referenced identifier (last component: `a.b.c()` → "c")
  ReferenceKind kind = ReferenceKind::kCall;
  SourceRange range;
  int32_t enclosing = -1;  // index of the innermost enclosing symbol, -1 at top level
  bool operator==(const Reference&) const = default;
};

struct Import {
  std::string spec;  // as written, quotes stripped: "linux/list.h", "os.path", "./util", "std::io"
  ImportKind kind = ImportKind::kModule;
  uint32_t line = 0;
  bool operator==(const Import&) const = default;
};

// A piece of the file cut at definition boundaries, sized for retrieval. Chunks cover the file in
// order without overlap (blank runs between them may be dropped).
struct Chunk {
  uint32_t start_line = 0;
  uint32_t end_line = 0;
  uint32_t start_byte = 0;
  uint32_t end_byte = 0;     // exclusive
  std::string scope_path;    // qualified name of the innermost definition containing the chunk, "" at top
  int32_t symbol = -1;       // that definition's index in FileFacts::symbols, -1 at top level
  bool operator==(const Chunk&) const = default;
};

struct FileFacts {
  std::vector<Symbol> symbols;  // in source order (by start byte, outer before inner)
  std::vector<Reference> references;
  std::vector<Import> imports;
  std::vector<Chunk> chunks;
  bool has_syntax_errors = false;  // tree-sitter produced ERROR/MISSING nodes (facts are still best-effort)
};

}  // namespace engram::repo_index
