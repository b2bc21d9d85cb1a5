// C++: tree-sitter-cpp, scope separator "::", comments above (also above `template <...>`),
// out-of-line `A::B::f` definitions qualified from the declarator. Query: queries/cpp.scm.
#include <array>

#include "repo_index/parse/c_family.h"
#include "repo_index/parse/language_spec.h"

extern "C" const TSLanguage* tree_sitter_cpp(void);

namespace engram::repo_index::internal {
namespace {

constexpr std::array<std::string_view, 1> kWrappers = {"template_declaration"};
constexpr std::array<std::string_view, 1> kSkip = {"[["};

bool RefineCpp(DefCandidate& def, std::string_view source) {
  return RefineCFamily(def, source, /*cpp=*/true);
}

}  // namespace

const LanguageSpec& CppSpec() {
  static const LanguageSpec spec = {
      .language = Language::kCpp,
      .grammar = tree_sitter_cpp,
      .query_name = "cpp",
      .separator = "::",
      .doc_wrapper_types = kWrappers,
      .doc_skip_line_prefixes = kSkip,
      .python_docstrings = false,
      .refine = RefineCpp,
      .expand_import = nullptr,
      .extra_definitions = ExtraCFamilyDefinitions,
  };
  return spec;
}

}  // namespace engram::repo_index::internal
