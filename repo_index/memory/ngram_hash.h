// The hashes of the Engram n-gram memory: which slot of which table a token n-gram lands in.
//
//   uint32_t gram[3] = {a, b, c};
//   std::vector<uint32_t> primes = NgramTablePrimes(tokens, 0.25, heads);   // 3 × heads primes
//   uint32_t slot = NgramSlot(NgramHash(gram, 3, head), primes[NgramTableIndex(3, head, heads)]);
//
// As in the Engram paper (DeepSeek, "Conditional Memory via Scalable Lookup"), each n-gram is
// hashed by several independent heads with a multiplicative-XOR hash, each modulo its own prime:
//
//   h = 0;  for each token t_i of the n-gram: h = (h × M[n][head]) XOR t_i      (64-bit, wrapping)
//   slot = fmix64(h) mod P(n, head)
//
// M[n][head] are odd 64-bit multipliers drawn from splitmix64 seeded with kNgramHashSeed (table
// (n - 2) × kNgramMaxHeads + head, in that order); fmix64 is MurmurHash3's 64-bit finalizer. P(n,
// head) are distinct primes: the 3 × heads successive primes >= max(1021, ceil(tokens ×
// slots_per_token)), assigned in table order (n = 2 head 0, n = 2 head 1, ..., n = 4 head heads-1),
// so no two tables of a segment share a modulus and two n-grams that collide in one head rarely
// collide in another. The values are part of the on-disk format (docs/formats/ngram.md): changing
// them changes kNgramVersion.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

namespace engram::repo_index {

inline constexpr int kNgramMinN = 2;
inline constexpr int kNgramMaxN = 4;
inline constexpr int kNgramMaxHeads = 4;
inline constexpr int kNgramOrders = kNgramMaxN - kNgramMinN + 1;       // 3
inline constexpr int kNgramMaxTables = kNgramOrders * kNgramMaxHeads;  // 12
inline constexpr uint32_t kNgramMinSlots = 1021;
inline constexpr uint64_t kNgramHashSeed = 0x656e6772616d2d31ull;  // "engram-1"

namespace internal {

constexpr uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

struct NgramMultipliers {
  uint64_t m[kNgramMaxTables] = {};
  constexpr NgramMultipliers() {
    uint64_t state = kNgramHashSeed;
    for (uint64_t& x : m) x = SplitMix64(&state) | 1;
  }
};
inline constexpr NgramMultipliers kNgramMultipliers;

constexpr uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace internal

// M[n][head]; n in [2, 4], head in [0, kNgramMaxHeads).
constexpr uint64_t NgramMultiplier(int n, int head) {
  return internal::kNgramMultipliers.m[(n - kNgramMinN) * kNgramMaxHeads + head];
}

// The 64-bit hash of tokens[0, n) for `head` (before the modulus).
inline uint64_t NgramHash(const uint32_t* tokens, int n, int head) {
  const uint64_t m = NgramMultiplier(n, head);
  uint64_t h = 0;
  for (int i = 0; i < n; ++i) h = (h * m) ^ tokens[i];
  return internal::Fmix64(h);
}

inline uint32_t NgramSlot(uint64_t hash, uint32_t slots) {
  return static_cast<uint32_t>(hash % slots);
}

// Index of table (n, head) among a segment's 3 × heads tables.
constexpr int NgramTableIndex(int n, int head, int heads) {
  return (n - kNgramMinN) * heads + head;
}

bool IsPrime(uint64_t x);

// The table sizes of a segment of `tokens` tokens: 3 × heads distinct successive primes, the first
// >= max(kNgramMinSlots, ceil(tokens × slots_per_token)) (capped at 2^31), in table order.
std::vector<uint32_t> NgramTablePrimes(uint64_t tokens, double slots_per_token, int heads);

}  // namespace engram::repo_index
