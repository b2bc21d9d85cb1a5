// A server-streaming reactor fed from a worker thread: the work runs on its own thread (never on
// gRPC's callback threads), its events queue up and are written one at a time (gRPC allows a single
// outstanding write per stream), and the stream finishes with the work's status once the queue is
// drained. A client that goes away or cancels cancels the session's token, which the work polls.
//
//   class MyStream final : public QueuedStream<v1::Event> {
//    public:
//     MyStream(std::unique_ptr<Session> s) : QueuedStream(std::move(s)) {
//       Start([this] { Enqueue(MakeEvent()); return absl::OkStatus(); });
//     }
//   };
//
// Thread-safety: Enqueue may be called from any thread. The object deletes itself in OnDone.
#pragma once

#include <grpcpp/grpcpp.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "daemon/marshal/status_marshal.h"
#include "daemon/session/session_manager.h"

namespace engram::daemon {

template <typename Event>
class QueuedStream : public grpc::ServerWriteReactor<Event> {
 public:
  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {  // the client is gone: stop the work, drop what is queued
      broken_ = true;
      queue_.clear();
      session_->Cancel();
    }
    Pump(std::move(lock));
  }

  void OnCancel() override { session_->Cancel(); }

  void OnDone() override {
    if (worker_.joinable()) worker_.join();
    delete this;
  }

 protected:
  explicit QueuedStream(std::unique_ptr<Session> session) : session_(std::move(session)) {}
  ~QueuedStream() override = default;

  // Runs `work` on the worker thread; the stream finishes with its status.
  void Start(std::function<absl::Status()> work) {
    worker_ = std::thread([this, work = std::move(work)] {
      absl::Status status = work();
      std::unique_lock<std::mutex> lock(mu_);
      finished_ = true;
      final_status_ = marshal::ToGrpcStatus(status);
      Pump(std::move(lock));
    });
  }

  // Queues an event. A `coalescable` event (progress) replaces a coalescable one still queued, so a
  // slow client gets the newest progress instead of a backlog.
  void Enqueue(Event event, bool coalescable = false) {
    std::unique_lock<std::mutex> lock(mu_);
    if (broken_) return;
    if (coalescable && !queue_.empty() && last_coalescable_) {
      queue_.back() = std::move(event);
    } else {
      queue_.push_back(std::move(event));
    }
    last_coalescable_ = coalescable;
    Pump(std::move(lock));
  }

  Session& session() { return *session_; }

 private:
  // Starts the next write, or finishes once the work is over and the queue is drained. Called with
  // mu_ held; releases it before calling into gRPC.
  void Pump(std::unique_lock<std::mutex> lock) {
    if (writing_ || finish_started_) return;
    if (!queue_.empty()) {
      current_ = std::move(queue_.front());
      queue_.pop_front();
      if (queue_.empty()) last_coalescable_ = false;
      writing_ = true;
      lock.unlock();
      this->StartWrite(&current_);
      return;
    }
    if (finished_) {
      finish_started_ = true;
      grpc::Status status = final_status_;
      lock.unlock();
      this->Finish(status);
    }
  }

  std::unique_ptr<Session> session_;
  std::thread worker_;
  std::mutex mu_;
  std::deque<Event> queue_;      // guarded by mu_
  Event current_;                // the event being written (owned until OnWriteDone)
  bool last_coalescable_ = false;  // guarded by mu_: queue_.back() may be replaced
  bool writing_ = false;         // guarded by mu_
  bool finished_ = false;        // guarded by mu_
  bool finish_started_ = false;  // guarded by mu_
  bool broken_ = false;          // guarded by mu_
  grpc::Status final_status_;    // guarded by mu_
};

// A stream that fails before any work (authorization, validation).
template <typename Event>
grpc::ServerWriteReactor<Event>* FailedStream(const absl::Status& status) {
  class Failed final : public grpc::ServerWriteReactor<Event> {
   public:
    explicit Failed(const grpc::Status& s) { this->Finish(s); }
    void OnDone() override { delete this; }
  };
  return new Failed(marshal::ToGrpcStatus(status));
}

}  // namespace engram::daemon
