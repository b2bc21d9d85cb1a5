#include "daemon/io/event_loop.h"

#include <csignal>

namespace engram::daemon {

EventLoop::EventLoop() : signals_(io_, SIGTERM, SIGINT), work_(boost::asio::make_work_guard(io_)) {}

void EventLoop::OnSignal(std::function<void(int)> handler) {
  handler_ = std::move(handler);
  Arm();
}

void EventLoop::Arm() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;  // operation_aborted when the loop stops
    if (handler_) handler_(signo);
    Arm();
  });
}

void EventLoop::Post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

void EventLoop::Run() { io_.run(); }

void EventLoop::Stop() {
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  work_.reset();
  io_.stop();
}

}  // namespace engram::daemon
