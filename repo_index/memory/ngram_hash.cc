#include "repo_index/memory/ngram_hash.h"

#include <algorithm>
#include <cmath>

namespace engram::repo_index {

bool IsPrime(uint64_t x) {
  if (x < 2) return false;
  if (x % 2 == 0) return x == 2;
  if (x % 3 == 0) return x == 3;
  for (uint64_t d = 5; d * d <= x; d += 6) {
    if (x % d == 0 || x % (d + 2) == 0) return false;
  }
  return true;
}

std::vector<uint32_t> NgramTablePrimes(uint64_t tokens, double slots_per_token, int heads) {
  constexpr double kCap = static_cast<double>(1u << 31);
  double want = std::ceil(static_cast<double>(tokens) * std::max(slots_per_token, 0.0));
  uint64_t candidate =
      static_cast<uint64_t>(std::min(std::max(want, double{kNgramMinSlots}), kCap));
  std::vector<uint32_t> primes;
  primes.reserve(static_cast<size_t>(kNgramOrders * heads));
  while (primes.size() < static_cast<size_t>(kNgramOrders * heads)) {
    if (IsPrime(candidate)) primes.push_back(static_cast<uint32_t>(candidate));
    ++candidate;
  }
  return primes;
}

}  // namespace engram::repo_index
