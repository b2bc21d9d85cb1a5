#include "engine/tokenizer/byte_level.h"

#include <array>

#include "engine/tokenizer/utf8.h"

namespace engram::engine::tokenizer {
namespace {

bool SpellsItself(int b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct Tables {
  std::array<uint32_t, 256> to_cp{};
  std::array<int16_t, 0x200> to_byte{};  // every alphabet code point is below U+0200
};

const Tables& GetTables() {
  static const Tables tables = [] {
    Tables t;
    t.to_byte.fill(-1);
    uint32_t next = 0x100;
    for (int b = 0; b < 256; ++b) {
      t.to_cp[b] = SpellsItself(b) ? static_cast<uint32_t>(b) : next++;
      t.to_byte[t.to_cp[b]] = static_cast<int16_t>(b);
    }
    return t;
  }();
  return tables;
}

}  // namespace

uint32_t ByteToCodepoint(uint8_t b) { return GetTables().to_cp[b]; }

int CodepointToByte(uint32_t cp) {
  const Tables& t = GetTables();
  return cp < t.to_byte.size() ? t.to_byte[cp] : -1;
}

std::string ByteLevelEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) AppendUtf8(ByteToCodepoint(static_cast<uint8_t>(c)), &out);
  return out;
}

bool ByteLevelDecode(std::string_view text, std::string* out) {
  bool exact = true;
  size_t i = 0;
  while (i < text.size()) {
    const Utf8Scan s = ScanUtf8Sequence(text.substr(i));
    const int b = s.status == Utf8Scan::kValid ? CodepointToByte(s.codepoint) : -1;
    const size_t n = s.length > 0 ? s.length : 1;
    if (b >= 0) {
      out->push_back(static_cast<char>(b));
    } else {
      out->append(text.substr(i, n));
      exact = false;
    }
    i += n;
  }
  return exact;
}

}  // namespace engram::engine::tokenizer
