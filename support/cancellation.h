// Cooperative cancellation, passed down a call chain as a token.
//
//   CancellationSource source;                // owned by the request (session)
//   Work(source.token());                     // long work polls token.cancelled()
//   source.Cancel();                          // from any thread; idempotent
//
// A default-constructed token is never cancelled. Tokens are cheap to copy and share the state of
// their source. Callbacks registered with OnCancel() run once, on the cancelling thread (or at once
// if already cancelled). Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace engram {

namespace internal {
struct CancellationState {
  std::atomic<bool> cancelled{false};
  std::mutex mu;
  std::vector<std::function<void()>> callbacks;  // guarded by mu
};
}  // namespace internal

class CancellationToken {
 public:
  CancellationToken() = default;

  bool cancelled() const { return state_ && state_->cancelled.load(std::memory_order_acquire); }

  // Runs `fn` when the source is cancelled (immediately if it already is).
  void OnCancel(std::function<void()> fn) const;

 private:
  friend class CancellationSource;
  explicit CancellationToken(std::shared_ptr<internal::CancellationState> s) : state_(std::move(s)) {}
  std::shared_ptr<internal::CancellationState> state_;
};

class CancellationSource {
 public:
  CancellationSource() : state_(std::make_shared<internal::CancellationState>()) {}

  CancellationToken token() const { return CancellationToken(state_); }
  bool cancelled() const { return state_->cancelled.load(std::memory_order_acquire); }
  void Cancel();

 private:
  std::shared_ptr<internal::CancellationState> state_;
};

}  // namespace engram
