#include "engine/tokenizer/bpe.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/tokenizer/byte_level.h"
#include "support/status.h"

namespace engram::engine::tokenizer {
namespace {

enum Render : uint8_t { kAlways = 0, kIfSpecial = 1, kNever = 2 };

uint64_t PairKey(TokenId left, TokenId right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

// "<0x0A>" -> 10; -1 when `text` is not of that form.
int ParseByteToken(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return -1;
  int value = 0;
  for (char c : text.substr(3, 2)) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

absl::Status CheckId(std::string_view what, TokenId id, size_t n_vocab) {
  if (id == kNoToken || (id >= 0 && static_cast<size_t>(id) < n_vocab)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("tokenizer: ", std::string(what), " id ", id,
                                                 " is out of range (vocabulary of ", n_vocab,
                                                 " tokens)"));
}

}  // namespace

// Scratch space of one Encode call.
struct Tokenizer::Workspace {
  struct Symbol {
    TokenId id;    // kNoToken once merged into its left neighbour
    int32_t prev;  // -1: none
    int32_t next;  // -1: none
  };
  // A possible merge of symbols[left] and symbols[right] (valid while both still hold these ids).
  struct Candidate {
    int32_t rank;
    int32_t left;
    int32_t right;
    TokenId left_id;
    TokenId right_id;
    TokenId result;
  };
  // Heap order: lowest rank on top, then leftmost.
  static bool Later(const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  }

  std::vector<PreTokenizer::Piece> pieces;
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

Tokenizer::Tokenizer(Vocab vocab, PreTokenizer pre)
    : vocab_(std::move(vocab)), pre_(std::move(pre)) {}

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Create(Vocab vocab) {
  if (vocab.model != "gpt2") {
    return absl::InvalidArgumentError(absl::StrCat(
        "tokenizer: model '", vocab.model, "' is not supported; only byte-level BPE ('gpt2') is"));
  }
  ASSIGN_OR_RETURN(PreTokenizer pre, PreTokenizer::Create(vocab.pre));
  std::unique_ptr<Tokenizer> tok(new Tokenizer(std::move(vocab), std::move(pre)));
  RETURN_IF_ERROR(tok->Build());
  return tok;
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::FromGguf(const gguf::File& file) {
  ASSIGN_OR_RETURN(Vocab vocab, LoadVocabFromGguf(file));
  return Create(std::move(vocab));
}

absl::Status Tokenizer::Build() {
  const size_t n_vocab = vocab_.tokens.size();
  if (n_vocab == 0) return absl::InvalidArgumentError("tokenizer: the vocabulary is empty");
  if (n_vocab > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer: ", n_vocab, " tokens are too many"));
  }
  if (vocab_.types.empty()) vocab_.types.assign(n_vocab, TokenType::kNormal);
  if (vocab_.types.size() != n_vocab) {
    return absl::InvalidArgumentError(
        absl::StrCat("tokenizer: ", vocab_.types.size(), " token types for ", n_vocab, " tokens"));
  }
  RETURN_IF_ERROR(CheckId("bos", vocab_.bos_id, n_vocab));
  RETURN_IF_ERROR(CheckId("eos", vocab_.eos_id, n_vocab));
  RETURN_IF_ERROR(CheckId("eot", vocab_.eot_id, n_vocab));
  RETURN_IF_ERROR(CheckId("padding", vocab_.pad_id, n_vocab));
  RETURN_IF_ERROR(CheckId("unknown", vocab_.unk_id, n_vocab));
  if (vocab_.add_bos && vocab_.bos_id == kNoToken) {
    return absl::InvalidArgumentError("tokenizer: add_bos_token is set but there is no bos token");
  }
  if (vocab_.add_eos && vocab_.eos_id == kNoToken) {
    return absl::InvalidArgumentError("tokenizer: add_eos_token is set but there is no eos token");
  }

  // Token texts, decoded pieces and special-token matching.
  text_to_id_.reserve(n_vocab);
  pieces_.resize(n_vocab);
  render_.resize(n_vocab);
  for (size_t i = 0; i < n_vocab; ++i) {
    const auto id = static_cast<TokenId>(i);
    const std::string& text = vocab_.tokens[i];
    text_to_id_[text] = id;  // a repeated text resolves to its last id, as in llama.cpp
    switch (vocab_.types[i]) {
      case TokenType::kUndefined:
      case TokenType::kNormal:
        ByteLevelDecode(text, &pieces_[i]);
        render_[i] = kAlways;
        break;
      case TokenType::kUserDefined:
        pieces_[i] = text;
        render_[i] = kAlways;
        break;
      case TokenType::kByte: {
        const int byte = ParseByteToken(text);
        if (byte < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("tokenizer: byte token ", i, " '", text, "' is not of the form <0xAB>"));
        }
        pieces_[i] = std::string(1, static_cast<char>(byte));
        render_[i] = kAlways;
        break;
      }
      case TokenType::kControl:
      case TokenType::kUnknown:
        pieces_[i] = text;
        render_[i] = kIfSpecial;
        break;
      case TokenType::kUnused:
        render_[i] = kNever;
        break;
    }
  }
  // Added in id order, so that of two special tokens with one text the first id wins.
  for (size_t i = 0; i < n_vocab; ++i) {
    const TokenType t = vocab_.types[i];
    if (t == TokenType::kUserDefined || t == TokenType::kControl || t == TokenType::kUnknown) {
      special_.Add(vocab_.tokens[i], static_cast<TokenId>(i), t == TokenType::kUserDefined);
    }
  }

  // The 256 single-byte tokens BPE starts from.
  for (int b = 0; b < 256; ++b) {
    const std::string spelled = ByteLevelEncode(std::string(1, static_cast<char>(b)));
    const TokenId id = FindToken(spelled);
    if (id == kNoToken) {
      return absl::InvalidArgumentError(
          absl::StrFormat("tokenizer: vocabulary has no token for byte 0x%02x ('%s')", b, spelled));
    }
    byte_ids_[b] = id;
  }

  // Merge rules: rank = position in the list.
  merges_.reserve(vocab_.merges.size());
  for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
    const std::string& merge = vocab_.merges[rank];
    // The separator is the first space after the first character (a part can't be empty).
    const size_t space = merge.size() > 1 ? merge.find(' ', 1) : std::string::npos;
    if (space == std::string::npos || space + 1 == merge.size()) {
      return absl::InvalidArgumentError(absl::StrCat("tokenizer: merge ", rank, " '", merge,
                                                     "' is not two tokens separated by a space"));
    }
    const std::string_view left(merge.data(), space);
    const std::string_view right(merge.data() + space + 1, merge.size() - space - 1);
    const TokenId left_id = FindToken(left);
    const TokenId right_id = FindToken(right);
    for (auto [part, id] : {std::pair{left, left_id}, std::pair{right, right_id}}) {
      if (id == kNoToken) {
        return absl::InvalidArgumentError(absl::StrCat("tokenizer: merge ", rank, " '", merge,
                                                       "' names unknown token '", std::string(part),
                                                       "'"));
      }
    }
    const std::string joined = std::string(left) + std::string(right);
    const TokenId result = FindToken(joined);
    if (result == kNoToken) {
      return absl::InvalidArgumentError(absl::StrCat("tokenizer: merge ", rank, " '", merge,
                                                     "' makes '", joined,
                                                     "', which is not in the vocabulary"));
    }
    // A repeated pair keeps its first (highest-priority) rank.
    merges_.try_emplace(PairKey(left_id, right_id), MergeRule{static_cast<int32_t>(rank), result});
  }
  return absl::OkStatus();
}

TokenId Tokenizer::FindToken(std::string_view text) const {
  auto it = text_to_id_.find(text);
  return it == text_to_id_.end() ? kNoToken : it->second;
}

TokenType Tokenizer::type(TokenId id) const {
  if (id < 0 || id >= n_vocab()) return TokenType::kUndefined;
  return vocab_.types[id];
}

bool Tokenizer::IsEndOfGeneration(TokenId id) const {
  return id != kNoToken && (id == vocab_.eos_id || id == vocab_.eot_id);
}

EncodeOptions Tokenizer::DefaultEncodeOptions() const {
  EncodeOptions options;
  options.add_bos = vocab_.add_bos;
  options.add_eos = vocab_.add_eos;
  return options;
}

const Tokenizer::MergeRule* Tokenizer::FindMerge(TokenId left, TokenId right) const {
  auto it = merges_.find(PairKey(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

std::vector<TokenId> Tokenizer::Encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 2);
  EncodeAppend(text, options, &out);
  return out;
}

void Tokenizer::EncodeAppend(std::string_view text, const EncodeOptions& options,
                             std::vector<TokenId>* out) const {
  if (options.add_bos && vocab_.bos_id != kNoToken) out->push_back(vocab_.bos_id);
  Workspace ws;
  size_t pos = 0;
  while (pos < text.size()) {
    const std::optional<SpecialTokenMatcher::Match> m =
        special_.FindNext(text, pos, options.parse_special);
    const size_t end = m ? m->offset : text.size();
    if (end > pos) EncodeText(text.substr(pos, end - pos), &ws, out);
    if (!m) break;
    out->push_back(m->id);
    pos = m->offset + m->length;
  }
  if (options.add_eos && vocab_.eos_id != kNoToken) out->push_back(vocab_.eos_id);
}

void Tokenizer::EncodeText(std::string_view text, Workspace* ws, std::vector<TokenId>* out) const {
  ws->pieces.clear();
  pre_.Split(text, &ws->pieces);
  for (const PreTokenizer::Piece& p : ws->pieces) {
    EncodePiece(text.substr(p.offset, p.length), ws, out);
  }
}

void Tokenizer::EncodePiece(std::string_view bytes, Workspace* ws,
                            std::vector<TokenId>* out) const {
  const auto n = static_cast<int32_t>(bytes.size());
  if (n == 0) return;
  if (n == 1) {
    out->push_back(byte_ids_[static_cast<uint8_t>(bytes[0])]);
    return;
  }
  using Symbol = Workspace::Symbol;
  using Candidate = Workspace::Candidate;
  std::vector<Symbol>& symbols = ws->symbols;
  std::vector<Candidate>& heap = ws->heap;
  symbols.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    symbols[i] = {byte_ids_[static_cast<uint8_t>(bytes[i])], i - 1, i + 1 < n ? i + 1 : -1};
  }
  heap.clear();
  auto consider = [&](int32_t left, int32_t right) {
    const MergeRule* rule = FindMerge(symbols[left].id, symbols[right].id);
    if (rule == nullptr) return;
    heap.push_back({rule->rank, left, right, symbols[left].id, symbols[right].id, rule->result});
    std::push_heap(heap.begin(), heap.end(), Workspace::Later);
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i, i + 1);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), Workspace::Later);
    const Candidate c = heap.back();
    heap.pop_back();
    Symbol& left = symbols[c.left];
    Symbol& right = symbols[c.right];
    // Stale: one side has merged since (a symbol's id changes whenever it merges).
    if (left.id != c.left_id || right.id != c.right_id || left.next != c.right) continue;
    left.id = c.result;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    right.id = kNoToken;
    if (left.prev >= 0) consider(left.prev, c.left);
    if (left.next >= 0) consider(c.left, left.next);
  }
  for (int32_t i = 0; i >= 0; i = symbols[i].next) out->push_back(symbols[i].id);
}

std::string_view Tokenizer::TokenToPiece(TokenId id, bool render_special) const {
  if (id < 0 || id >= n_vocab()) return {};
  switch (render_[id]) {
    case kAlways:
      return pieces_[id];
    case kIfSpecial:
      return render_special ? std::string_view(pieces_[id]) : std::string_view();
    default:
      return {};
  }
}

absl::StatusOr<std::string> Tokenizer::Decode(std::span<const TokenId> ids,
                                              const DecodeOptions& options) const {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= n_vocab()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokenizer: token id ", ids[i], " at position ", i,
                       " is out of range (vocabulary of ", n_vocab(), " tokens)"));
    }
    out.append(TokenToPiece(ids[i], options.render_special));
  }
  return out;
}

}  // namespace engram::engine::tokenizer
