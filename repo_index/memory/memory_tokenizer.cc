#include "repo_index/memory/memory_tokenizer.h"

namespace engram::repo_index {
namespace {

constexpr bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c >= 0x80;
}

constexpr bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

uint32_t LexicalTokenizer::HashWord(std::string_view word) {
  // FNV-1a over the bytes, then a 64-bit finalizer (Murmur3 fmix64) folded to 32 bits.
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : word) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<uint32_t>(h ^ (h >> 32));
}

void LexicalTokenizer::Tokenize(std::string_view text, std::vector<MemoryToken>* out) const {
  out->clear();
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (!IsWordByte(data[i])) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < n && IsWordByte(data[j])) ++j;
    out->push_back(MemoryToken{HashWord(text.substr(i, j - i)), static_cast<uint32_t>(i),
                               static_cast<uint32_t>(j)});
    i = j;
  }
}

size_t LexicalTokenizer::CountTokens(std::string_view text) const {
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t count = 0;
  size_t i = 0;
  while (i < n) {
    unsigned char c = data[i];
    if (IsWordByte(c)) {
      size_t j = i + 1;
      while (j < n && IsWordByte(data[j])) ++j;
      size_t len = j - i;
      count += 1 + (len > 8 ? (len - 8 + 5) / 6 : 0);
      i = j;
    } else {
      if (!IsSpace(c)) ++count;  // punctuation, and '\n'
      ++i;
    }
  }
  return count;
}

}  // namespace engram::repo_index
