#include "engine/tokenizer/utf8.h"

namespace engram::engine::tokenizer {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

}  // namespace

Utf8Scan ScanUtf8Sequence(std::string_view bytes) {
  const uint8_t lead = static_cast<uint8_t>(bytes[0]);
  if (lead < 0x80) return {Utf8Scan::kValid, 1, lead};

  size_t need;        // continuation bytes after the lead
  uint32_t cp;        // payload bits of the lead byte
  uint8_t lo = 0x80;  // allowed range of the first continuation byte (Table 3-7)
  uint8_t hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;  // no overlong 3-byte forms
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;  // no overlong 4-byte forms
    if (lead == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return {Utf8Scan::kInvalid, 1, 0};  // continuation byte, C0, C1 or F5..FF as a lead
  }

  for (size_t i = 1; i <= need; ++i) {
    if (i >= bytes.size()) return {Utf8Scan::kIncomplete, bytes.size(), 0};
    const uint8_t b = static_cast<uint8_t>(bytes[i]);
    const bool ok = (i == 1) ? (b >= lo && b <= hi) : IsContinuation(b);
    if (!ok) return {Utf8Scan::kInvalid, i, 0};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {Utf8Scan::kValid, need + 1, cp};
}

size_t ValidUtf8Prefix(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (static_cast<uint8_t>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    const Utf8Scan s = ScanUtf8Sequence(bytes.substr(i));
    if (s.status != Utf8Scan::kValid) break;
    i += s.length;
  }
  return i;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string SanitizeUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    const size_t valid = ValidUtf8Prefix(bytes.substr(i));
    out.append(bytes.substr(i, valid));
    i += valid;
    if (i == bytes.size()) break;
    const Utf8Scan s = ScanUtf8Sequence(bytes.substr(i));
    out.append(kReplacement);
    i += s.length;  // kInvalid: the maximal subpart; kIncomplete: the truncated tail
  }
  return out;
}

}  // namespace engram::engine::tokenizer
