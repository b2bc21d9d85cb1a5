#include "support/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace engram {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/engram-fileutil-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileUtilTest, AtomicWriteReplacesContentAndSetsMode) {
  std::string path = dir_ + "/secret";
  ASSERT_TRUE(WriteFileAtomically(path, "one", 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(path, "two", 0600).ok());
  EXPECT_EQ(*ReadFile(path), "two");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No temporary files are left behind.
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(FileUtilTest, ReadMissingFileNamesIt) {
  auto r = ReadFile(dir_ + "/nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nope"), std::string::npos);
}

TEST_F(FileUtilTest, WriteIntoMissingDirectoryFails) {
  auto s = WriteFileAtomically(dir_ + "/no/such/dir/file", "x");
  EXPECT_FALSE(s.ok());
}

TEST_F(FileUtilTest, MakeDirsPrivateTightensModeAndRejectsSymlinks) {
  std::string d = dir_ + "/a/b/c";
  ASSERT_TRUE(MakeDirs(d, 0700, true).ok());
  ::chmod(d.c_str(), 0755);
  ASSERT_TRUE(MakeDirs(d, 0700, true).ok());
  struct stat st;
  ASSERT_EQ(::stat(d.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  std::string link = dir_ + "/link";
  ASSERT_EQ(::symlink(d.c_str(), link.c_str()), 0);
  auto s = MakeDirs(link, 0700, true);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);

  std::string file = dir_ + "/file";
  ASSERT_TRUE(WriteFileAtomically(file, "x").ok());
  EXPECT_FALSE(MakeDirs(file, 0700, false).ok());
}

}  // namespace
}  // namespace engram
