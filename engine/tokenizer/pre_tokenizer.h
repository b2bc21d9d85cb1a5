// Pre-tokenization: splits text into the pieces that BPE then encodes one at a time, with the
// sequence of regular expressions named by tokenizer.ggml.pre (PCRE2, Unicode properties).
//
//   ASSIGN_OR_RETURN(PreTokenizer pre, PreTokenizer::Create("deepseek-coder"));
//   std::vector<std::string_view> pieces = pre.Split("int x = 42;");
//   // "int", " x", " =", " ", "4", "2", ";"   (concatenated, the pieces are the text again)
//
// Contract: each regex of the sequence splits every current piece into its matches and the gaps
// between them (both kept, in order; a regex sees one piece as its whole subject, so `$` and
// lookaheads stop at the piece's end). The pieces always concatenate to the input. Bytes that are
// not valid UTF-8 never reach a regex: each becomes a piece of its own.
// Known names: "deepseek-llm", "deepseek-coder", "deepseek-v3" (the regexes of the
// DeepSeek LLM / Coder / V3 tokenizers, read as llama.cpp reads them: `\s` is Unicode
// White_Space, and White_Space code points are matched by `\s` only, never by an explicit range).
// Any other name is an error.
//
// Thread-safety: immutable after Create(); Split() is safe from many threads at once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace engram::engine::tokenizer {

class PreTokenizer {
 public:
  // A piece of the input: [offset, offset + length).
  struct Piece {
    size_t offset = 0;
    size_t length = 0;
  };

  static absl::StatusOr<PreTokenizer> Create(std::string_view name);
  static std::span<const std::string_view> KnownNames();

  PreTokenizer(PreTokenizer&&) noexcept;
  PreTokenizer& operator=(PreTokenizer&&) noexcept;
  ~PreTokenizer();

  const std::string& name() const { return name_; }

  // Appends the pieces of `text` to `out` (offsets relative to `text`).
  void Split(std::string_view text, std::vector<Piece>* out) const;
  std::vector<std::string_view> Split(std::string_view text) const;

 private:
  struct Regex;
  PreTokenizer() = default;

  std::string name_;
  std::vector<std::unique_ptr<Regex>> regexes_;
};

}  // namespace engram::engine::tokenizer
