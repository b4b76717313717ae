// Integration: the hub's data directory ends up 0700 with every file in it 0600 whatever was there
// before (a directory created 0755, a store left 0644, a leftover 0644 hub.key.tmp from a crash),
// SQLite's own files included; a temporary file that is a symbolic link is never written through;
// and an entry the hub does not own — a symbolic link — makes it refuse to start, naming the path.
// The hub is the real outpost-hub process.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/process.h"

namespace outpost::test {
namespace {

namespace fs = std::filesystem;

mode_t modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string readAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class HubDataDir : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = makeTempDir();
    dir_ = root_ + "/data";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_, dir_;
};

TEST_F(HubDataDir, EverythingEndsUpPrivateWhateverExistedBefore) {
  ASSERT_EQ(::mkdir(dir_.c_str(), 0755), 0);
  ::chmod(dir_.c_str(), 0755);                  // whatever the umask left
  std::ofstream(dir_ + "/hub.sqlite").close();  // an empty store left readable by everyone
  std::ofstream(dir_ + "/hub.key.tmp") << "garbage from a crash\n";
  ASSERT_EQ(::chmod((dir_ + "/hub.sqlite").c_str(), 0644), 0);
  ASSERT_EQ(::chmod((dir_ + "/hub.key.tmp").c_str(), 0644), 0);
  ASSERT_EQ(::mkdir((dir_ + "/old-backups").c_str(), 0755), 0);
  std::ofstream(dir_ + "/old-backups/x").close();

  HubProcess hub;
  ASSERT_TRUE(hub.start(dir_)) << hub.banner;
  // Something written, so SQLite's -wal and -shm exist too.
  auto r = runAdmin(hub.address, dir_, {"app", "put", "480", "Spacewar"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(modeOf(dir_), 0700u);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    std::string p = e.path().string();
    EXPECT_EQ(modeOf(p), e.is_directory() ? 0700u : 0600u) << p;
    ++files;
  }
  EXPECT_GE(files, 6u);  // hub.key, hub.pub, hub.address, admin.token, hub.sqlite(+wal/shm), old-backups
  EXPECT_TRUE(fs::exists(dir_ + "/hub.sqlite-wal"));
  EXPECT_FALSE(fs::exists(dir_ + "/hub.key.tmp"));  // removed, never reused
  EXPECT_EQ(modeOf(dir_ + "/hub.key"), 0600u);
  // The copyable contact is written beside the key.
  EXPECT_EQ(readAll(dir_ + "/hub.address"), hub.public_key + "@" + hub.address + "\n");
  EXPECT_EQ(hub.stop(SIGTERM), 0);

  // A later start puts back what someone loosened meanwhile.
  ASSERT_EQ(::chmod((dir_ + "/hub.key").c_str(), 0644), 0);
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  HubProcess again;
  ASSERT_TRUE(again.start(dir_)) << again.banner;
  EXPECT_EQ(again.public_key, hub.public_key);
  EXPECT_EQ(modeOf(dir_ + "/hub.key"), 0600u);
  EXPECT_EQ(modeOf(dir_), 0700u);
}

TEST_F(HubDataDir, ALeftoverTemporaryFileThatIsASymlinkIsNotWrittenThrough) {
  ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0);
  std::string outside = root_ + "/outside";
  std::ofstream(outside) << "not the hub's\n";
  ASSERT_EQ(::chmod(outside.c_str(), 0644), 0);
  ASSERT_EQ(::symlink(outside.c_str(), (dir_ + "/hub.key.tmp").c_str()), 0);
  auto r = runProcess({OUTPOST_HUB_BINARY, "--data-dir", dir_, "--listen", "127.0.0.1:0", "--master", ""}, 20);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(dir_ + "/hub.key.tmp is a symbolic link; refusing to start"), std::string::npos) << r.out;
  EXPECT_EQ(readAll(outside), "not the hub's\n");  // no key went there
  EXPECT_EQ(modeOf(outside), 0644u);
  EXPECT_FALSE(fs::exists(dir_ + "/hub.key"));
}

TEST_F(HubDataDir, AnyOtherSymlinkInTheDirectoryIsRefusedByName) {
  HubProcess first;
  ASSERT_TRUE(first.start(dir_)) << first.banner;
  EXPECT_EQ(first.stop(SIGTERM), 0);
  std::string outside = root_ + "/elsewhere.sqlite";
  fs::rename(dir_ + "/hub.sqlite", outside);
  ASSERT_EQ(::symlink(outside.c_str(), (dir_ + "/hub.sqlite").c_str()), 0);
  auto r = runProcess({OUTPOST_HUB_BINARY, "--data-dir", dir_, "--listen", "127.0.0.1:0", "--master", ""}, 20);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(dir_ + "/hub.sqlite is a symbolic link"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace outpost::test
