#include "repo_index/store/code_tokenizer.h"

#include <sqlite3.h>

#include <cstring>

#include "absl/status/statusor.h"

namespace engram::repo_index {
namespace {

constexpr size_t kMaxSplitRun = 64;  // longer runs are emitted whole, without parts

enum class CharClass : uint8_t { kLower, kUpper, kDigit, kUnderscore };

inline bool IsAsciiWord(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Length of the valid UTF-8 sequence starting at p (c = p[0] >= 0x80), or 0 when invalid.
inline size_t Utf8Length(const unsigned char* p, size_t left, uint32_t* code_point) {
  unsigned char c = p[0];
  auto cont = [&](size_t i) { return i < left && (p[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) {
    if (!cont(1)) return 0;
    *code_point = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    uint32_t cp = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;  // overlong, surrogate
    *code_point = cp;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    uint32_t cp =
        ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    *code_point = cp;
    return 4;
  }
  return 0;
}

// Spaces and punctuation outside ASCII separate runs like ASCII punctuation does.
inline bool IsUnicodeSeparator(uint32_t cp) {
  return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
         cp == 0xFEFF;
}

// Simple case mapping for the two-byte ranges where it is a fixed offset (Latin-1, Greek,
// Cyrillic); the lowercase form has the same UTF-8 length. 0 when not an uppercase letter.
inline uint32_t LowerOf(uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 0x20;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  return 0;
}

// One character of a run: where it is, its class, and its lowercase bytes when they differ.
struct RunChar {
  uint8_t offset;  // from the run start
  uint8_t length;
  CharClass cls;
};

class Splitter {
 public:
  Splitter(std::string_view text, bool for_document, void* ctx,
           int (*emit)(void*, int, const char*, int, int, int))
      : text_(text), for_document_(for_document), ctx_(ctx), emit_(emit) {}

  int Run() {
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    const size_t n = text_.size();
    size_t i = 0;
    while (i < n) {
      size_t start = i;
      // Find the end of the run starting at i (empty when p[i] separates).
      while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
          if (!IsAsciiWord(c)) break;
          ++i;
          continue;
        }
        uint32_t cp = 0;
        size_t len = Utf8Length(p + i, n - i, &cp);
        if (len == 0 || IsUnicodeSeparator(cp)) break;
        i += len;
      }
      if (i > start) {
        int rc = EmitRun(start, i);
        if (rc != SQLITE_OK) return rc;
        continue;
      }
      // p[i] is a separator: skip one ASCII byte, one separator character or one invalid byte.
      if (p[i] < 0x80) {
        ++i;
      } else {
        uint32_t cp = 0;
        size_t len = Utf8Length(p + i, n - i, &cp);
        i += len == 0 ? 1 : len;
      }
    }
    return SQLITE_OK;
  }

 private:
  // Lowercases text_[start, end) into buf_ (same length).
  void Lower(size_t start, size_t end) {
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    buf_.resize(end - start);
    size_t i = start;
    while (i < end) {
      unsigned char c = p[i];
      if (c < 0x80) {
        buf_[i - start] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        ++i;
        continue;
      }
      uint32_t cp = 0;
      size_t len = Utf8Length(p + i, end - i, &cp);  // valid: the run was checked
      uint32_t lower = len == 2 ? LowerOf(cp) : 0;
      if (lower != 0) {
        buf_[i - start] = static_cast<char>(0xC0 | (lower >> 6));
        buf_[i - start + 1] = static_cast<char>(0x80 | (lower & 0x3F));
      } else {
        std::memcpy(&buf_[i - start], p + i, len);
      }
      i += len;
    }
  }

  int Emit(size_t buf_from, size_t buf_to, size_t start, size_t end, bool colocated) {
    return emit_(ctx_, colocated ? FTS5_TOKEN_COLOCATED : 0, buf_.data() + buf_from,
                 static_cast<int>(buf_to - buf_from), static_cast<int>(start),
                 static_cast<int>(end));
  }

  // The lowercased run in buf_ without its underscores, colocated with the preceding token.
  int EmitWhole(size_t start, size_t end) {
    whole_.clear();
    for (char c : std::string_view(buf_).substr(0, end - start)) {
      if (c != '_') whole_.push_back(c);
    }
    return emit_(ctx_, FTS5_TOKEN_COLOCATED, whole_.data(), static_cast<int>(whole_.size()),
                 static_cast<int>(start), static_cast<int>(end));
  }

  int EmitRun(size_t start, size_t end) {
    Lower(start, end);
    size_t length = end - start;
    if (length > kMaxSplitRun) return Emit(0, length, start, end, false);

    // Classify characters.
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    RunChar chars[kMaxSplitRun];
    size_t count = 0;
    for (size_t i = start; i < end;) {
      unsigned char c = p[i];
      RunChar rc{static_cast<uint8_t>(i - start), 1, CharClass::kLower};
      if (c < 0x80) {
        if (c == '_') {
          rc.cls = CharClass::kUnderscore;
        } else if (c >= '0' && c <= '9') {
          rc.cls = CharClass::kDigit;
        } else if (c >= 'A' && c <= 'Z') {
          rc.cls = CharClass::kUpper;
        }
      } else {
        uint32_t cp = 0;
        rc.length = static_cast<uint8_t>(Utf8Length(p + i, end - i, &cp));
        if (rc.length == 2 && LowerOf(cp) != 0) rc.cls = CharClass::kUpper;
      }
      chars[count++] = rc;
      i += rc.length;
    }

    // Cut into parts: at '_', lower→Upper, before the last capital of an acronym followed by a
    // lowercase letter (HTTPRequest → HTTP Request), and digit→letter (md5sum → md5 sum).
    struct Part {
      uint8_t from, to;  // byte offsets in the run
    };
    Part parts[kMaxSplitRun];
    size_t part_count = 0;
    int part_start = -1;
    for (size_t k = 0; k < count; ++k) {
      const RunChar& ch = chars[k];
      if (ch.cls == CharClass::kUnderscore) {
        if (part_start >= 0) {
          parts[part_count++] = {static_cast<uint8_t>(part_start), ch.offset};
          part_start = -1;
        }
        continue;
      }
      if (part_start >= 0) {
        CharClass prev = chars[k - 1].cls;
        bool next_lower = k + 1 < count && chars[k + 1].cls == CharClass::kLower;
        bool cut = (prev == CharClass::kLower && ch.cls == CharClass::kUpper) ||
                   (prev == CharClass::kUpper && ch.cls == CharClass::kUpper && next_lower) ||
                   (prev == CharClass::kDigit &&
                    (ch.cls == CharClass::kLower || ch.cls == CharClass::kUpper));
        if (cut) {
          parts[part_count++] = {static_cast<uint8_t>(part_start), ch.offset};
          part_start = ch.offset;
        }
      } else {
        part_start = ch.offset;
      }
    }
    if (part_start >= 0)
      parts[part_count++] = {static_cast<uint8_t>(part_start), static_cast<uint8_t>(length)};

    if (part_count == 0) return Emit(0, length, start, end, false);  // only underscores
    for (size_t k = 0; k < part_count; ++k) {
      int rc = Emit(parts[k].from, parts[k].to, start + parts[k].from, start + parts[k].to, false);
      if (rc != SQLITE_OK) return rc;
      if (k == 0 && part_count > 1 && for_document_) {
        rc = EmitWhole(start, end);
        if (rc != SQLITE_OK) return rc;
      }
    }
    return SQLITE_OK;
  }

  std::string_view text_;
  bool for_document_;
  void* ctx_;
  int (*emit_)(void*, int, const char*, int, int, int);
  std::string buf_;
  std::string whole_;
};

// ---- FTS5 glue -------------------------------------------------------------------------------

struct TokenizerInstance {
  int unused = 0;
};

int CodeCreate(void*, const char**, int, Fts5Tokenizer** out) {
  *out = reinterpret_cast<Fts5Tokenizer*>(new TokenizerInstance());
  return SQLITE_OK;
}

void CodeDelete(Fts5Tokenizer* tokenizer) {
  delete reinterpret_cast<TokenizerInstance*>(tokenizer);
}

int CodeTokenizeFts(Fts5Tokenizer*, void* ctx, int flags, const char* text, int size,
                    int (*x_token)(void*, int, const char*, int, int, int)) {
  if (size <= 0 || text == nullptr) return SQLITE_OK;
  bool for_document = (flags & FTS5_TOKENIZE_QUERY) == 0;
  Splitter splitter(std::string_view(text, static_cast<size_t>(size)), for_document, ctx, x_token);
  return splitter.Run();
}

absl::StatusOr<fts5_api*> GetFts5Api(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(std::string("sqlite: fts5 is not available: ") + sqlite3_errmsg(db));
  }
  fts5_api* api = nullptr;
  sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (api == nullptr) return absl::InternalError("sqlite: fts5 is not available");
  return api;
}

}  // namespace

absl::Status RegisterCodeTokenizer(sqlite3* db) {
  absl::StatusOr<fts5_api*> api = GetFts5Api(db);
  if (!api.ok()) return api.status();
  fts5_tokenizer tokenizer{CodeCreate, CodeDelete, CodeTokenizeFts};
  int rc = (*api)->xCreateTokenizer(*api, "code", nullptr, &tokenizer, nullptr);
  if (rc != SQLITE_OK) {
    return absl::InternalError(std::string("sqlite: cannot register the code tokenizer: ") +
                               sqlite3_errstr(rc));
  }
  return absl::OkStatus();
}

std::vector<CodeToken> CodeTokenize(std::string_view text, bool for_document) {
  std::vector<CodeToken> tokens;
  auto emit = [](void* ctx, int flags, const char* token, int size, int, int) -> int {
    auto* out = static_cast<std::vector<CodeToken>*>(ctx);
    out->push_back(
        {std::string(token, static_cast<size_t>(size)), (flags & FTS5_TOKEN_COLOCATED) != 0});
    return SQLITE_OK;
  };
  Splitter splitter(text, for_document, &tokens, emit);
  splitter.Run();
  return tokens;
}

}  // namespace engram::repo_index
