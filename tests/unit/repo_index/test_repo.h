// A temporary directory (optionally a git repository) for repo_index tests, driven with the git CLI.
//
//   TestRepo repo(/*git=*/true);
//   repo.Write("src/a.c", "int main(void) { return 0; }\n");
//   repo.Git("add -A");
//   repo.Git("commit -q -m first");
//
// Git runs with a private HOME and GIT_CONFIG_NOSYSTEM so the machine's configuration never leaks in.
// Failures are test failures (ADD_FAILURE) with the command and its output.
#pragma once

#include <string>
#include <string_view>

namespace engram::repo_index::testing {

class TestRepo {
 public:
  explicit TestRepo(bool git);
  ~TestRepo();
  TestRepo(const TestRepo&) = delete;
  TestRepo& operator=(const TestRepo&) = delete;

  const std::string& root() const { return root_; }
  // A scratch directory next to the repository (databases, other repositories).
  const std::string& scratch() const { return scratch_; }
  std::string Path(std::string_view relative) const { return root_ + "/" + std::string(relative); }

  void Write(std::string_view relative, std::string_view content) const;  // creates parent directories
  void Remove(std::string_view relative) const;
  void Rename(std::string_view from, std::string_view to) const;  // creates parent directories
  bool Exists(std::string_view relative) const;
  // Runs `git <args>` in the repository; returns stdout (trimmed). Fails the test on a non-zero exit.
  std::string Git(std::string_view args) const;

 private:
  std::string base_;
  std::string root_;
  std::string scratch_;
};

// Runs a shell command; returns its exit status and puts stdout+stderr into `output`.
int RunShell(const std::string& command, std::string* output);

}  // namespace engram::repo_index::testing
