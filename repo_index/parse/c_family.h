// What C and C++ share: walking declarators to the declared name, the refine hook for
// declarations, and the recovery of function definitions that tree-sitter cannot see through macros
// (`SYSCALL_DEFINE3(read, ...) { ... }`). Used by lang_c.cc and lang_cpp.cc. Stateless, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "repo_index/parse/language_spec.h"

namespace engram::repo_index::internal {

struct DeclaratorInfo {
  TSNode name{};         // identifier / field_identifier / type_identifier / destructor_name / ...
  bool function = false;  // declares a function (not a pointer to one)
  std::string prefix;     // C++ `A::B::f` → "A::B"
};

// Follows `declarator` fields (pointer, parenthesized, attributed, array, init, reference, function
// declarators; C++ qualified identifiers) down to the declared name. Bounded depth.
DeclaratorInfo ResolveDeclarator(TSNode declarator, std::string_view source);

// refine hook shared by C and C++ (`cpp` enables out-of-line methods and class-body declarations).
bool RefineCFamily(DefCandidate& def, std::string_view source, bool cpp);

// extra_definitions hook. At file scope (also inside #if blocks, extern "C", namespaces) and in
// every ERROR node, a body `{ ... }` that is not part of a function_definition is a function when
//  - it follows a call-like macro head: `SYSCALL_DEFINE1(x, int, a) { ... }` (named after the
//    macro, as ctags does), or
//  - the text before it reads `name(...)` (annotation macros such as `__releases(x)` after the
//    parameter list are skipped) and the line holding `name` starts at column 0 with a
//    non-blank character: the kernel's layout of function heads. Keywords are never names.
void ExtraCFamilyDefinitions(TSNode root, std::span<const TSNode> errors, std::string_view source,
                             std::vector<DefCandidate>* out);

}  // namespace engram::repo_index::internal
