// The web key file: made once with mode 0600, the same key read back by every later
// caller, and a file of the wrong size refused with advice instead of used.
#include "web/web_secret.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace ts {
namespace {

class WebSecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/textscreen-web-secret-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::remove((dir_ + "/web.key").c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(WebSecretTest, CreatesOnceAndReadsTheSameKeyBack) {
  std::string path = dir_ + "/web.key";
  auto first = loadWebSecret(path);
  ASSERT_TRUE(first.ok()) << first.error().message;
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, static_cast<off_t>(sizeof(WebSecret)));
  auto second = loadWebSecret(path);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_NE(*first, WebSecret{}) << "random, not zeros";
}

TEST_F(WebSecretTest, RefusesAFileOfTheWrongSize) {
  std::string path = dir_ + "/web.key";
  std::ofstream(path) << "short";
  auto key = loadWebSecret(path);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("remove it"), std::string::npos);
}

TEST_F(WebSecretTest, ReportsAnUnwritableDirectory) {
  auto key = loadWebSecret(dir_ + "/missing/web.key");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("missing"), std::string::npos);
}

}  // namespace
}  // namespace ts
