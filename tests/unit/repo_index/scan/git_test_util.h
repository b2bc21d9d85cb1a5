// Temporary directories and git repositories for the scan tests, driven by the `git` CLI.
//
//   TempDir dir;                                   // removed (recursively) on destruction
//   dir.Write("src/a.c", "int a;\n");
//   dir.Git("init -q");                            // fails the test on a non-zero exit
//   std::string head = dir.GitOut("rev-parse HEAD");
//
// UseIsolatedGitEnvironment() must run before the first libgit2 call of the process (the tests call
// it from SetUpTestSuite): it points HOME at a private directory with its own .gitconfig (user,
// init.defaultBranch=main, protocol.file.allow=always, a global excludes file) and sets
// GIT_CONFIG_NOSYSTEM, so neither git nor libgit2 sees the machine's configuration.
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace engram::repo_index::testing_util {

inline std::string MakeTempDir(const std::string& tag) {
  std::string pattern = ::testing::TempDir();
  if (pattern.empty() || pattern.back() != '/') pattern += '/';
  pattern += "engram-" + tag + "-XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    return "";
  }
  // Resolve symlinks (/tmp may be one) so paths compare with ScanResult::root.
  return std::filesystem::canonical(made).string();
}

inline void WriteFile(const std::string& path, std::string_view content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// Runs `command` with /bin/sh; returns its exit status and stdout.
inline int RunShell(const std::string& command, std::string* output) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    if (output != nullptr) output->append(buffer, n);
  }
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline void UseIsolatedGitEnvironment() {
  struct Home {
    std::string dir;
    ~Home() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  };
  static const Home home{[] {
    std::string dir = MakeTempDir("git-home");
    WriteFile(dir + "/.gitconfig",
              "[user]\n\tname = Engram Test\n\temail = test@engram.invalid\n"
              "[init]\n\tdefaultBranch = main\n"
              "[protocol \"file\"]\n\tallow = always\n"
              "[core]\n\texcludesFile = " +
                  dir + "/global-excludes\n");
    WriteFile(dir + "/global-excludes", "*.globalignore\n");
    setenv("HOME", dir.c_str(), 1);
    setenv("XDG_CONFIG_HOME", (dir + "/.config").c_str(), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    unsetenv("GIT_DIR");
    unsetenv("GIT_WORK_TREE");
    unsetenv("GIT_INDEX_FILE");
    return dir;
  }()};
}

class TempDir {
 public:
  explicit TempDir(const std::string& tag = "scan") : root_(MakeTempDir(tag)) {}
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& root() const { return root_; }
  std::string Abs(const std::string& relative) const { return root_ + "/" + relative; }

  void Write(const std::string& relative, std::string_view content) const {
    WriteFile(Abs(relative), content);
  }
  void Remove(const std::string& relative) const { std::filesystem::remove_all(Abs(relative)); }
  void Symlink(const std::string& target, const std::string& relative) const {
    std::filesystem::create_directories(std::filesystem::path(Abs(relative)).parent_path());
    ASSERT_EQ(symlink(target.c_str(), Abs(relative).c_str()), 0) << relative << " -> " << target;
  }

  // `git <args>` in this directory (arguments are shell words); a non-zero exit fails the test.
  void Git(const std::string& args, const std::string& env = "") const {
    std::string output;
    int rc = RunShell("cd '" + root_ + "' && " + env + " git " + args + " 2>&1", &output);
    ASSERT_EQ(rc, 0) << "git " << args << " failed in " << root_ << ":\n" << output;
  }
  std::string GitOut(const std::string& args) const {
    std::string output;
    int rc = RunShell("cd '" + root_ + "' && git " + args, &output);
    EXPECT_EQ(rc, 0) << "git " << args << " failed in " << root_;
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
    return output;
  }
  // Commits everything staged with fixed author and committer dates (unix seconds).
  void Commit(const std::string& message, long long time) const {
    std::string date = "'@" + std::to_string(time) + " +0000'";
    Git("commit -q --allow-empty -m '" + message + "'",
        "GIT_AUTHOR_DATE=" + date + " GIT_COMMITTER_DATE=" + date);
  }

 private:
  std::string root_;
};

}  // namespace engram::repo_index::testing_util
