#include "daemon/session/session_manager.h"

#include <gtest/gtest.h>

#include <vector>

namespace engram::daemon {
namespace {

const std::string kToken(64, 'a');

CallInfo Tcp(std::string auth) { return {"/m", "ipv4:127.0.0.1:5000", std::move(auth), {}}; }

TEST(SessionManager, UnixPeersNeedNoToken) {
  SessionManager m(kToken);
  auto s = m.Begin({"/m", "unix:/run/x.sock", "", {}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(m.active(), 1);
  s->reset();
  EXPECT_EQ(m.active(), 0);
}

TEST(SessionManager, TcpPeersNeedTheExactBearerToken) {
  SessionManager m(kToken);
  EXPECT_TRUE(m.Begin(Tcp("Bearer " + kToken)).ok());
  for (const std::string& bad : std::vector<std::string>{std::string(), "Bearer", "Bearer " + kToken.substr(1), "bearer " + kToken,
                          "Bearer " + kToken + "a", "Basic " + kToken, "Bearer " + std::string(64, 'b')}) {
    auto s = m.Begin(Tcp(bad));
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kUnauthenticated);
  }
  // Any non-unix peer is TCP, fail-closed.
  EXPECT_FALSE(m.Begin({"/m", "ipv6:[::1]:1", "", {}}).ok());
  EXPECT_FALSE(m.Begin({"/m", "", "", {}}).ok());
}

TEST(SessionManager, EmptyServerTokenRefusesAllTcp) {
  SessionManager m("");
  EXPECT_FALSE(m.Begin(Tcp("Bearer ")).ok());
}

TEST(SessionManager, CancelAllCancelsInFlightAndRefusesNew) {
  SessionManager m(kToken);
  auto a = m.Begin({"/m", "unix:", "", {}});
  ASSERT_TRUE(a.ok());
  CancellationToken t = (*a)->token();
  EXPECT_FALSE(t.cancelled());
  m.CancelAll();
  EXPECT_TRUE(t.cancelled());
  auto b = m.Begin({"/m", "unix:", "", {}});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace engram::daemon
