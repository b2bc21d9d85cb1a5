#include "tests/unit/repo_index/test_repo.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace engram::repo_index::testing {
namespace fs = std::filesystem;

int RunShell(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output->append(buffer, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TestRepo::TestRepo(bool git) {
  std::string pattern = (fs::temp_directory_path() / "engram-repo-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr) << "mkdtemp failed";
  base_ = pattern;
  root_ = base_ + "/repo";
  scratch_ = base_ + "/scratch";
  fs::create_directories(root_);
  fs::create_directories(scratch_);
  fs::create_directories(base_ + "/home");
  if (git) Git("-c init.defaultBranch=main init -q");
}

TestRepo::~TestRepo() {
  std::error_code ec;
  fs::remove_all(base_, ec);
}

void TestRepo::Write(std::string_view relative, std::string_view content) const {
  fs::path path = Path(relative);
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

void TestRepo::Remove(std::string_view relative) const {
  std::error_code ec;
  fs::remove(Path(relative), ec);
  ASSERT_FALSE(ec) << "cannot remove " << relative << ": " << ec.message();
}

void TestRepo::Rename(std::string_view from, std::string_view to) const {
  fs::path target = Path(to);
  fs::create_directories(target.parent_path());
  std::error_code ec;
  fs::rename(Path(from), target, ec);
  ASSERT_FALSE(ec) << "cannot rename " << from << " -> " << to << ": " << ec.message();
}

bool TestRepo::Exists(std::string_view relative) const { return fs::exists(Path(relative)); }

std::string TestRepo::Git(std::string_view args) const {
  std::string command = "cd '" + root_ + "' && HOME='" + base_ +
                        "/home' GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e "
                        "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e git " +
                        std::string(args);
  std::string output;
  int rc = RunShell(command, &output);
  EXPECT_EQ(rc, 0) << "git " << args << " failed:\n" << output;
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return output;
}

}  // namespace engram::repo_index::testing
