// Per-call lifetime on the native side of the daemon: authorization, registration of in-flight
// calls, cancellation and the drain at shutdown. Knows nothing of gRPC: the server layer extracts a
// CallInfo from its context and holds the returned Session for the length of the call.
//
//   ASSIGN_OR_RETURN(auto session, sessions.Begin(info));   // UNAUTHENTICATED / UNAVAILABLE
//   DoWork(session->token());                               // cancelled by CancelAll() or Cancel()
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "support/cancellation.h"

namespace engram::daemon {

struct CallInfo {
  std::string method;         // "/engram.v1.Daemon/Status"
  std::string peer;           // gRPC peer: "unix:..." or "ipv4:127.0.0.1:5555" / "ipv6:[::1]:5555"
  std::string authorization;  // value of the "authorization" metadata, empty when absent
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
};

class SessionManager;

// One in-flight call. Unregisters itself when destroyed.
class Session {
 public:
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  CancellationToken token() const { return cancel_.token(); }
  void Cancel() { cancel_.Cancel(); }
  const CallInfo& info() const { return info_; }
  bool DeadlinePassed() const { return std::chrono::system_clock::now() >= info_.deadline; }

 private:
  friend class SessionManager;
  Session(SessionManager* owner, uint64_t id, CallInfo info) : owner_(owner), id_(id), info_(std::move(info)) {}
  SessionManager* owner_;
  uint64_t id_;
  CallInfo info_;
  CancellationSource cancel_;
};

class SessionManager {
 public:
  // `tcp_token`: the bearer token TCP peers must present. Unix-socket peers are trusted (the socket
  // is 0600 inside a 0700 directory).
  explicit SessionManager(std::string tcp_token) : tcp_token_(std::move(tcp_token)) {}

  absl::StatusOr<std::unique_ptr<Session>> Begin(CallInfo info);

  // Refuses new calls (UNAVAILABLE) and cancels every in-flight one.
  void CancelAll();
  int active() const;

  // Peer check used by Begin(): OK for unix peers, else a matching "Bearer <token>".
  absl::Status Authorize(const CallInfo& info) const;

 private:
  friend class Session;
  void End(uint64_t id);

  const std::string tcp_token_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Session*> live_;  // guarded by mu_
  uint64_t next_id_ = 1;                          // guarded by mu_
  bool draining_ = false;                         // guarded by mu_
};

}  // namespace engram::daemon
