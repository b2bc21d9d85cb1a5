// C: tree-sitter-c, scope separator ".", `/* */` and `//` doc comments, declarator walking and
// macro-headed function recovery from c_family.cc. Query: queries/c.scm.
#include <array>

#include "repo_index/parse/c_family.h"
#include "repo_index/parse/language_spec.h"

extern "C" const TSLanguage* tree_sitter_c(void);

namespace engram::repo_index::internal {
namespace {


bool RefineC(DefCandidate& def, std::string_view source) {
  return RefineCFamily(def, source, /*cpp=*/false);
}

}  // namespace

const LanguageSpec& CSpec() {
  static const LanguageSpec spec = {
      .language = Language::kC,
      .grammar = tree_sitter_c,
      .query_name = "c",
      .separator = ".",
      .doc_wrapper_types = {},
      .doc_skip_line_prefixes = {},
      .python_docstrings = false,
      .refine = RefineC,
      .expand_import = nullptr,
      .extra_definitions = ExtraCFamilyDefinitions,
  };
  return spec;
}

}  // namespace engram::repo_index::internal
