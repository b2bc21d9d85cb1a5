#include "repo_index/parse/facts.h"

namespace engram::repo_index {

std::string_view SymbolKindName(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kFunction:
      return "function";
    case SymbolKind::kMethod:
      return "method";
    case SymbolKind::kClass:
      return "class";
    case SymbolKind::kStruct:
      return "struct";
    case SymbolKind::kEnum:
      return "enum";
    case SymbolKind::kInterface:
      return "interface";
    case SymbolKind::kTrait:
      return "trait";
    case SymbolKind::kTypeAlias:
      return "type_alias";
    case SymbolKind::kConstant:
      return "constant";
    case SymbolKind::kMacro:
      return "macro";
    case SymbolKind::kNamespace:
      return "namespace";
    case SymbolKind::kUnion:
      return "union";
    case SymbolKind::kField:
      return "field";
    case SymbolKind::kVariable:
      return "variable";
  }
  return "unknown";
}

std::string_view ReferenceKindName(ReferenceKind kind) {
  switch (kind) {
    case ReferenceKind::kCall:
      return "call";
    case ReferenceKind::kType:
      return "type";
  }
  return "unknown";
}

std::string_view ImportKindName(ImportKind kind) {
  switch (kind) {
    case ImportKind::kIncludeLocal:
      return "include_local";
    case ImportKind::kIncludeSystem:
      return "include_system";
    case ImportKind::kModule:
      return "module";
  }
  return "unknown";
}

}  // namespace engram::repo_index
