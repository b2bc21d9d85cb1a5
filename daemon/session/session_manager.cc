#include "daemon/session/session_manager.h"

#include <vector>

namespace engram::daemon {
namespace {

// Compares without an early exit, so the time taken does not reveal how much of the token matched.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || b.empty()) return false;  // the length (64) is not secret
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Session::~Session() { owner_->End(id_); }

absl::Status SessionManager::Authorize(const CallInfo& info) const {
  if (info.peer.rfind("unix:", 0) == 0) return absl::OkStatus();
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view auth = info.authorization;
  if (tcp_token_.empty() || auth.substr(0, kBearer.size()) != kBearer ||
      !ConstantTimeEquals(auth.substr(kBearer.size()), tcp_token_)) {
    return absl::UnauthenticatedError("engramd: TCP calls need 'authorization: Bearer <token>' metadata "
                                      "with the token from the daemon's tcp.token file");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Session>> SessionManager::Begin(CallInfo info) {
  if (auto s = Authorize(info); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_) return absl::UnavailableError("engramd is shutting down");
  uint64_t id = next_id_++;
  std::unique_ptr<Session> session(new Session(this, id, std::move(info)));
  live_.emplace(id, session.get());
  return session;
}

void SessionManager::End(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(id);
}

void SessionManager::CancelAll() {
  std::vector<Session*> sessions;
  std::lock_guard<std::mutex> lock(mu_);
  draining_ = true;
  // Cancel under the lock: a Session cannot be destroyed (End() needs mu_) while we cancel it.
  for (auto& [id, session] : live_) session->Cancel();
}

int SessionManager::active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(live_.size());
}

}  // namespace engram::daemon
