#include "daemon/io/instance_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace engram::daemon {
namespace {

TEST(InstanceLock, SecondAcquireNamesTheHolderAndReleaseFreesIt) {
  char tmpl[] = "/tmp/engram-lock-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/engramd.lock";
  {
    auto first = InstanceLock::Acquire(path);
    ASSERT_TRUE(first.ok()) << first.status();
    // flock conflicts between open file descriptions, so a second Acquire in this process fails too;
    // check from a child process as well, the way a second daemon would see it.
    pid_t child = ::fork();
    if (child == 0) {
      auto second = InstanceLock::Acquire(path);
      bool ok = !second.ok() && absl::IsAlreadyExists(second.status()) &&
                second.status().message().find("pid " + std::to_string(::getppid())) != std::string::npos;
      ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto again = InstanceLock::Acquire(path);
  EXPECT_TRUE(again.ok()) << again.status();
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace engram::daemon
