#include "support/cancellation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace engram {
namespace {

TEST(Cancellation, DefaultTokenIsNeverCancelled) {
  CancellationToken t;
  EXPECT_FALSE(t.cancelled());
  bool ran = false;
  t.OnCancel([&] { ran = true; });
  EXPECT_FALSE(ran);
}

TEST(Cancellation, CancelReachesTokensAndCallbacksOnce) {
  CancellationSource source;
  CancellationToken a = source.token(), b = a;
  int calls = 0;
  a.OnCancel([&] { ++calls; });
  EXPECT_FALSE(b.cancelled());
  source.Cancel();
  source.Cancel();
  EXPECT_TRUE(a.cancelled());
  EXPECT_TRUE(b.cancelled());
  EXPECT_EQ(calls, 1);
  // Registered after cancellation: runs at once.
  b.OnCancel([&] { ++calls; });
  EXPECT_EQ(calls, 2);
}

TEST(Cancellation, ConcurrentCancelAndRegisterRunEveryCallbackExactlyOnce) {
  for (int round = 0; round < 50; ++round) {
    CancellationSource source;
    std::atomic<int> calls{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&] {
        for (int j = 0; j < 25; ++j) source.token().OnCancel([&] { calls.fetch_add(1); });
      });
    }
    threads.emplace_back([&] { source.Cancel(); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(calls.load(), 100);
  }
}

}  // namespace
}  // namespace engram
