#include "support/cancellation.h"

namespace engram {

void CancellationToken::OnCancel(std::function<void()> fn) const {
  if (!state_) return;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->cancelled.load(std::memory_order_acquire)) {
      state_->callbacks.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

void CancellationSource::Cancel() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->cancelled.exchange(true, std::memory_order_acq_rel)) return;
    callbacks.swap(state_->callbacks);
  }
  for (auto& fn : callbacks) fn();
}

}  // namespace engram
