#include "support/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace engram {
namespace {

TEST(ThreadPool, EveryIndexRunsExactlyOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 7, 100, 1001}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.ParallelFor(n, 3, [&](int64_t b, int64_t e) {
        ASSERT_LE(b, e);
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << threads << " " << n << " " << i;
    }
  }
}

TEST(ThreadPool, ManyCallsInARowAndNestedCallsRunInline) {
  ThreadPool pool(3);
  std::atomic<int64_t> sum{0};
  for (int round = 0; round < 300; ++round) {
    pool.ParallelFor(64, 1, [&](int64_t b, int64_t e) {
      pool.ParallelFor(e - b, 1, [&](int64_t b2, int64_t e2) { sum.fetch_add(e2 - b2); });
    });
  }
  EXPECT_EQ(sum.load(), 300 * 64);
}

}  // namespace
}  // namespace engram
