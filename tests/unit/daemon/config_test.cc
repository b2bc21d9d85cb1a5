#include "daemon/config.h"

#include <gtest/gtest.h>

namespace engram::daemon {
namespace {

TEST(Config, EmptyTextGivesDefaults) {
  auto c = ParseConfig("", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->max_request_bytes, 8 << 20);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_TRUE(c->tcp_listen.empty());
}

TEST(Config, ReadsEverySection) {
  auto c = ParseConfig(R"(
[server]
socket = "/tmp/x.sock"
tcp_listen = "127.0.0.1:0"
max_request_bytes = 65536
shutdown_grace_ms = 100
[log]
level = "debug"
file = "/tmp/e.log"
[paths]
data_dir = "/tmp/d"
)",
                       "t.toml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->socket_path, "/tmp/x.sock");
  EXPECT_EQ(c->tcp_listen, "127.0.0.1:0");
  EXPECT_EQ(c->max_request_bytes, 65536);
  EXPECT_EQ(c->shutdown_grace_ms, 100);
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_file, "/tmp/e.log");
  EXPECT_EQ(c->data_dir, "/tmp/d");
}

TEST(Config, ErrorsNameTheKey) {
  auto unknown = ParseConfig("[server]\nsokcet = \"/x\"\n", "t.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("server.sokcet"), std::string::npos) << unknown.status();

  auto type = ParseConfig("[server]\nmax_request_bytes = \"big\"\n", "t.toml");
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.status().message().find("server.max_request_bytes"), std::string::npos) << type.status();

  auto syntax = ParseConfig("[server\n", "t.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("t.toml:1"), std::string::npos) << syntax.status();

  auto section = ParseConfig("[sever]\n", "t.toml");
  EXPECT_FALSE(section.ok());
}

TEST(Config, TcpMustBeLoopbackWithAPort) {
  Config c;
  c.ResolveDefaults();
  for (const char* ok : {"127.0.0.1:0", "127.0.0.1:7411", "[::1]:7411", "localhost:1"}) {
    c.tcp_listen = ok;
    EXPECT_TRUE(ValidateConfig(c).ok()) << ok;
  }
  for (const char* bad : {"0.0.0.0:7411", "192.168.1.2:80", "[::]:1", "127.0.0.1", "127.0.0.1:x", "127.0.0.1:70000"}) {
    c.tcp_listen = bad;
    EXPECT_FALSE(ValidateConfig(c).ok()) << bad;
  }
}

TEST(Config, EngineSection) {
  auto c = ParseConfig("[engine]\nthreads = 2\ncontext = 1024\nkv = \"fp8\"\nmodel = \"/m.gguf\"\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->engine_threads, 2);
  EXPECT_EQ(c->engine_context, 1024);
  EXPECT_EQ(c->kv_type, "fp8");
  EXPECT_EQ(c->model_path, "/m.gguf");
  c->ResolveDefaults();
  EXPECT_TRUE(ValidateConfig(*c).ok());
  c->kv_type = "fp9";
  auto s = ValidateConfig(*c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("engine.kv"), std::string::npos) << s;
}

TEST(Config, SocketPathLengthIsChecked) {
  Config c;
  c.ResolveDefaults();
  c.socket_path = "/" + std::string(120, 'a');
  auto s = ValidateConfig(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unix sockets allow at most 107"), std::string::npos) << s;
}

}  // namespace
}  // namespace engram::daemon
