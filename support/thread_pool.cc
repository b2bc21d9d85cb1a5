#include "support/thread_pool.h"

#include <algorithm>

namespace engram {
namespace {

thread_local bool tls_in_pool = false;
constexpr int kSpins = 20000;  // pause instructions, roughly 50 us

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  if (n_threads <= 0) n_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::RunChunks(Job* job) {
  for (;;) {
    int64_t begin = job->next.fetch_add(job->chunk, std::memory_order_relaxed);
    if (begin >= job->n) return;
    (*job->fn)(begin, std::min(job->n, begin + job->chunk));
  }
}

void ThreadPool::WorkerLoop() {
  tls_in_pool = true;
  uint64_t seen = 0;
  for (;;) {
    for (int i = 0; i < kSpins && generation_.load(std::memory_order_acquire) == seen; ++i) CpuRelax();
    Job* job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto ready = [&] { return stop_ || (job_ != nullptr && generation_.load(std::memory_order_relaxed) != seen); };
      if (!ready()) {
        ++sleeping_;
        work_cv_.wait(lock, ready);
        --sleeping_;
      }
      if (stop_) return;
      seen = generation_.load(std::memory_order_relaxed);
      job = job_;
      busy_.fetch_add(1, std::memory_order_relaxed);  // counted before the caller can retire the job (same lock)
    }
    RunChunks(job);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (busy_.fetch_sub(1, std::memory_order_release) == 1) done_cv_.notify_all();
    }
  }
}

void ThreadPool::ParallelFor(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  min_chunk = std::max<int64_t>(1, min_chunk);
  if (workers_.empty() || tls_in_pool || n <= min_chunk) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call_lock(call_mu_);
  // About 4 chunks per thread balances uneven rows without much scheduling overhead.
  Job job{&fn, n, std::max(min_chunk, (n + size() * 4 - 1) / (size() * 4))};
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &job;
    generation_.fetch_add(1, std::memory_order_release);
    wake = sleeping_ > 0;
  }
  if (wake) work_cv_.notify_all();
  tls_in_pool = true;
  RunChunks(&job);
  tls_in_pool = false;
  for (int i = 0; i < kSpins && busy_.load(std::memory_order_acquire) != 0; ++i) CpuRelax();
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return busy_.load(std::memory_order_relaxed) == 0; });
  job_ = nullptr;  // a worker waking later finds no job and keeps waiting
}

}  // namespace engram
