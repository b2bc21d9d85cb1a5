// UTF-8 helpers shared by the pre-tokenizer, the byte-level mapping and the streaming decoder.
//
//   size_t n = ValidUtf8Prefix(bytes);            // bytes[0, n) is valid UTF-8
//   Utf8Scan s = ScanUtf8Sequence(bytes.substr(i));
//   if (s.status == Utf8Scan::kIncomplete) { /* wait for more bytes */ }
//
// Validity follows RFC 3629 (no overlong forms, no surrogates, nothing past U+10FFFF). The length
// of an invalid sequence is the "maximal subpart" of Unicode §3.9 (U+FFFD substitution of maximal
// subparts), so a decoder that replaces each invalid sequence by one U+FFFD agrees with
// Python's and ICU's decoders.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace engram::engine::tokenizer {

struct Utf8Scan {
  enum Status { kValid, kIncomplete, kInvalid };
  Status status = kInvalid;
  // kValid: bytes in the sequence; kIncomplete: bytes seen so far (all of the input);
  // kInvalid: bytes of the maximal invalid subpart (at least 1).
  size_t length = 0;
  uint32_t codepoint = 0;  // kValid only
};

// Classifies the sequence starting at bytes[0]. `bytes` must not be empty.
Utf8Scan ScanUtf8Sequence(std::string_view bytes);

// Length of the longest prefix of `bytes` that is valid UTF-8.
size_t ValidUtf8Prefix(std::string_view bytes);

// Appends the UTF-8 encoding of `cp` (which must be a scalar value, <= U+10FFFF, not a surrogate).
void AppendUtf8(uint32_t cp, std::string* out);

// `bytes` with every invalid sequence (including a truncated one at the end) replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view bytes);

}  // namespace engram::engine::tokenizer
