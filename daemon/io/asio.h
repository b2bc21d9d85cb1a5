// The one include for Boost.Asio inside daemon/. Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility>; include it first so every translation unit compiles with g++ 12.
#pragma once

#include <utility>

#include <boost/asio.hpp>
