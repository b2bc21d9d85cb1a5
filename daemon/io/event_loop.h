// The daemon's main loop: a Boost.Asio io_context on the main thread that owns signal handling
// (SIGTERM, SIGINT) and runs posted lifecycle work (shutdown) away from gRPC's threads.
//
//   EventLoop loop;
//   loop.OnSignal([&](int sig) { loop.Post([&] { Shutdown(); loop.Stop(); }); });
//   loop.Run();                   // returns after Stop()
//
// Post() and Stop() are thread-safe; OnSignal() must be called before Run().
#pragma once

#include <functional>

#include "daemon/io/asio.h"

namespace engram::daemon {

class EventLoop {
 public:
  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // `handler(signo)` runs on the loop thread for each SIGTERM / SIGINT received.
  void OnSignal(std::function<void(int)> handler);
  void Post(std::function<void()> fn);
  void Run();
  void Stop();

  boost::asio::io_context& context() { return io_; }

 private:
  void Arm();

  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::function<void(int)> handler_;
};

}  // namespace engram::daemon
