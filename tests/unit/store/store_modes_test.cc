// The store's directory and files are as group-writable as the umask lets them be:
// textscreenctl, run by staff in the daemon's group, must open the daemon's store
// read-write (LMDB writes lock.mdb even to read). The packaged unit sets UMask=0007.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/store_environment.h"

namespace ts::store {
namespace {

mode_t permissions(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class StoreModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/textscreen-modes-XXXXXX";
    char* made = mkdtemp(tmpl);
    ASSERT_NE(made, nullptr);
    dir_ = made;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Opens a new store at dir_/store under mask and returns to the previous umask.
  void openUnder(mode_t mask) {
    mode_t old = ::umask(mask);
    auto opened = StoreEnvironment::open(dir_ + "/store", 16 << 20);
    ::umask(old);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
  }

  std::string dir_;
};

TEST_F(StoreModesTest, GroupReadWriteUnderTheUnitsUmask) {
  openUnder(0007);
  EXPECT_EQ(permissions(dir_ + "/store"), 0770u);
  EXPECT_EQ(permissions(dir_ + "/store/data.mdb"), 0660u);
  EXPECT_EQ(permissions(dir_ + "/store/lock.mdb"), 0660u);
}

TEST_F(StoreModesTest, OwnerOnlyWritableUnderTheUsualUmask) {
  openUnder(0022);
  EXPECT_EQ(permissions(dir_ + "/store"), 0750u);
  EXPECT_EQ(permissions(dir_ + "/store/data.mdb"), 0640u);
  EXPECT_EQ(permissions(dir_ + "/store/lock.mdb"), 0640u);
}

}  // namespace
}  // namespace ts::store
