#include "engine/tokenizer/pre_tokenizer.h"

#include <array>
#include <utility>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "absl/strings/str_cat.h"
#include "engine/tokenizer/utf8.h"

namespace engram::engine::tokenizer {
namespace {

// How the reference (llama.cpp) reads these patterns, which the golden ids follow:
//  - `\s` is Unicode White_Space (ASCII \t \n \v \f \r and space, U+0085, U+00A0, U+1680,
//    U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000); PCRE2's own `\s` lacks U+0085, so
//    the class is spelled out.
//  - a White_Space code point never matches an explicit code-point range (it is matched as `\s`
//    only), so the ranges below leave U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F and
//    U+3000 out where the published patterns' ranges span them.
#define ENGRAM_WS                                                                  \
  "\\t\\n\\x0B\\f\\r "                                                             \
  "\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}" \
  "\\x{3000}"

// Cased letters (Lu, Ll, Lt) in the ranges DeepSeek LLM's tokenizer lists explicitly.
// clang-format off
#define ENGRAM_DEEPSEEK_LLM_LETTERS \
  "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}" \
  "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}" \
  "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}" \
  "\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}" \
  "\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}" \
  "\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}" \
  "\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}" \
  "\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}" \
  "\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}" \
  "\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}" \
  "\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}" \
  "\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}" \
  "\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}" \
  "\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}" \
  "\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}" \
  "\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}" \
  "\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}" \
  "\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}"
// clang-format on

// ASCII and full-width punctuation/symbols, curly quotes, ideographic comma and full stop
// (published as U+3000..U+3002; U+3000 is White_Space).
#define ENGRAM_DEEPSEEK_LLM_PUNCT \
  "!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3001}-\\x{3002}"

// CJK unified ideographs to U+9FA5, the wide range U+0800..U+4E00 (less its White_Space code
// points) and Hangul to U+D7FF.
#define ENGRAM_DEEPSEEK_CJK                                                                        \
  "\\x{4E00}-\\x{9FA5}\\x{800}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}\\x{202A}-\\x{202E}" \
  "\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{4E00}\\x{AC00}-\\x{D7FF}"

struct Definition {
  std::string_view name;
  std::vector<std::string_view> patterns;
};

const std::vector<Definition>& Definitions() {
  static const std::vector<Definition> defs = {
      {"deepseek-llm",
       {
           "[\\r\\n]",
           "[" ENGRAM_WS "]?[" ENGRAM_DEEPSEEK_LLM_LETTERS "]+",
           "[" ENGRAM_WS "]?[" ENGRAM_DEEPSEEK_LLM_PUNCT "]+",
           "[" ENGRAM_WS "]+$",
           "[" ENGRAM_DEEPSEEK_CJK "]+",
           "\\p{N}+",
       }},
      {"deepseek-coder",
       {
           "[\\r\\n]",
           "[" ENGRAM_WS "]?\\p{L}+",
           "[" ENGRAM_WS "]?\\p{P}+",
           "[" ENGRAM_DEEPSEEK_CJK "]+",
           "\\p{N}",
       }},
      {"deepseek-v3",
       {
           "\\p{N}{1,3}",
           "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+",
           // An ASCII punctuation mark glued to the ASCII word after it | a letter run with at
           // most one leading non-letter/non-punctuation character | punctuation with optional
           // leading space and trailing newlines | newline runs | whitespace not followed by
           // non-space | any other whitespace.
           "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+"
           "|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
           "| ?[\\p{P}\\p{S}]+[\\r\\n]*"
           "|[" ENGRAM_WS "]*[\\r\\n]+"
           "|[" ENGRAM_WS "]+(?![^" ENGRAM_WS "])"
           "|[" ENGRAM_WS "]+",
       }},
  };
  return defs;
}

#undef ENGRAM_WS
#undef ENGRAM_DEEPSEEK_LLM_LETTERS
#undef ENGRAM_DEEPSEEK_LLM_PUNCT
#undef ENGRAM_DEEPSEEK_CJK

struct MatchDataDeleter {
  void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};
using MatchData = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

}  // namespace

struct PreTokenizer::Regex {
  explicit Regex(pcre2_code* c) : code(c) {}
  ~Regex() { pcre2_code_free(code); }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Splits text[piece] into matches and gaps, appending them to `out`.
  void SplitPiece(std::string_view text, Piece piece, pcre2_match_data* md,
                  std::vector<Piece>* out) const {
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data() + piece.offset);
    const size_t n = piece.length;
    size_t start = 0;
    size_t emitted = 0;  // end of the last piece appended, relative to the subject
    while (start < n) {
      const int rc = pcre2_match(code, subject, n, start, PCRE2_NO_UTF_CHECK, md, nullptr);
      // No match, or a resource limit: the rest of the piece stays one piece (still lossless).
      if (rc < 0) break;
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      const size_t begin = ov[0];
      const size_t end = ov[1];
      if (end == begin) {  // none of our patterns matches empty; step over one character anyway
        const Utf8Scan s = ScanUtf8Sequence(text.substr(piece.offset + begin, n - begin));
        start = begin + (s.length > 0 ? s.length : 1);
        continue;
      }
      if (begin > emitted) out->push_back({piece.offset + emitted, begin - emitted});
      out->push_back({piece.offset + begin, end - begin});
      emitted = end;
      start = end;
    }
    if (emitted < n) out->push_back({piece.offset + emitted, n - emitted});
  }

  pcre2_code* code;
};

PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

std::span<const std::string_view> PreTokenizer::KnownNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const Definition& d : Definitions()) v.push_back(d.name);
    return v;
  }();
  return names;
}

absl::StatusOr<PreTokenizer> PreTokenizer::Create(std::string_view name) {
  const Definition* def = nullptr;
  for (const Definition& d : Definitions()) {
    if (d.name == name) def = &d;
  }
  if (def == nullptr) {
    std::string known;
    for (std::string_view n : KnownNames())
      absl::StrAppend(&known, known.empty() ? "" : ", ", std::string(n));
    return absl::InvalidArgumentError(absl::StrCat("tokenizer: unknown pre-tokenizer '",
                                                   std::string(name),
                                                   "' (tokenizer.ggml.pre); known: ", known));
  }

  PreTokenizer pre;
  pre.name_ = std::string(name);
  for (size_t i = 0; i < def->patterns.size(); ++i) {
    const std::string_view pattern = def->patterns[i];
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                      PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &error, &error_offset, nullptr);
    if (code == nullptr) {
      std::array<PCRE2_UCHAR, 256> message{};
      pcre2_get_error_message(error, message.data(), message.size());
      return absl::InternalError(absl::StrCat("tokenizer: pre-tokenizer '", std::string(name),
                                              "': regex ", i, " does not compile at offset ",
                                              error_offset, ": ",
                                              reinterpret_cast<const char*>(message.data())));
    }
    // JIT is an optimisation: without it (unsupported CPU, no executable memory) pcre2_match
    // interprets the same pattern with the same results.
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    pre.regexes_.push_back(std::make_unique<Regex>(code));
  }
  return pre;
}

void PreTokenizer::Split(std::string_view text, std::vector<Piece>* out) const {
  MatchData md(pcre2_match_data_create(1, nullptr));
  std::vector<Piece> current;
  std::vector<Piece> next;
  size_t i = 0;
  while (i < text.size()) {
    const size_t valid = ValidUtf8Prefix(text.substr(i));
    if (valid > 0) {
      current.assign(1, Piece{i, valid});
      for (const std::unique_ptr<Regex>& regex : regexes_) {
        next.clear();
        for (const Piece& p : current) regex->SplitPiece(text, p, md.get(), &next);
        current.swap(next);
      }
      out->insert(out->end(), current.begin(), current.end());
      i += valid;
    }
    if (i < text.size()) {  // an invalid (or truncated) sequence: its own piece
      const Utf8Scan s = ScanUtf8Sequence(text.substr(i));
      out->push_back({i, s.length});
      i += s.length;
    }
  }
}

std::vector<std::string_view> PreTokenizer::Split(std::string_view text) const {
  std::vector<Piece> pieces;
  Split(text, &pieces);
  std::vector<std::string_view> views;
  views.reserve(pieces.size());
  for (const Piece& p : pieces) views.push_back(text.substr(p.offset, p.length));
  return views;
}

}  // namespace engram::engine::tokenizer
