// The byte-level alphabet of GPT-2-style BPE: a bijection between the 256 byte values and 256
// printable Unicode code points, so that any byte string can be spelled as (UTF-8) token text.
//
//   std::string text = ByteLevelEncode("\n hi");   // "ĊĠhi"
//   std::string raw;
//   bool exact = ByteLevelDecode("ĊĠhi", &raw);     // raw == "\n hi", exact == true
//
// Bytes that are already printable Latin-1 ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for
// themselves; the other 68 bytes (controls, space, DEL, U+0080..U+00A0, soft hyphen) take the code
// points U+0100, U+0101, ... in increasing byte order. Token texts of normal tokens in a "gpt2"
// GGUF vocabulary are written in this alphabet.
//
// Thread-safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace engram::engine::tokenizer {

// The code point that spells byte `b`.
uint32_t ByteToCodepoint(uint8_t b);

// The byte spelled by `cp`, or -1 when `cp` is not in the alphabet.
int CodepointToByte(uint32_t cp);

// Spells `bytes` in the byte-level alphabet (UTF-8 result).
std::string ByteLevelEncode(std::string_view bytes);

// Appends the bytes spelled by the UTF-8 `text` to `out`. Code points outside the alphabet (and
// invalid UTF-8) are copied through unchanged; the result says whether every code point mapped.
bool ByteLevelDecode(std::string_view text, std::string* out);

}  // namespace engram::engine::tokenizer
