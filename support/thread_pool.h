// A fixed pool of worker threads for data-parallel loops.
//
//   ThreadPool pool(4);                         // 0 threads: everything runs on the caller
//   pool.ParallelFor(n_rows, 16, [&](int64_t begin, int64_t end) { ... });
//
// ParallelFor splits [0, n) into contiguous chunks of at least `min_chunk`, runs them on the workers
// and on the calling thread, and returns when all are done. Workers spin briefly (about 50 us) for
// the next call before they sleep, and the caller spins briefly for stragglers, so the thousands of
// small calls of one decode step do not each pay a futex wake-up. The callback must not throw. One
// ParallelFor at a time per pool (calls from several threads are serialized); nested calls from
// inside a callback run inline on the calling worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace engram {

class ThreadPool {
 public:
  // `n_threads` counts the caller: 1 means no workers. 0 picks hardware_concurrency().
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void ParallelFor(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn);

 private:
  struct Job {
    const std::function<void(int64_t, int64_t)>* fn;
    int64_t n;
    int64_t chunk;
    std::atomic<int64_t> next{0};
  };
  void WorkerLoop();
  static void RunChunks(Job* job);

  std::vector<std::thread> workers_;
  std::mutex call_mu_;  // serializes ParallelFor calls

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::atomic<uint64_t> generation_{0};  // written under mu_, read without it while spinning
  std::atomic<int> busy_{0};             // written under mu_, read without it while spinning
  int sleeping_ = 0;                     // guarded by mu_: workers waiting on work_cv_
  bool stop_ = false;                                        // guarded by mu_
  Job* job_ = nullptr;  // guarded by mu_; the running call's job, null between calls
};

}  // namespace engram
