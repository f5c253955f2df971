// The users file: comments and blank lines skipped, every malformed line an error that
// names it, legacy and unknown hash methods refused, and an unknown user still has a hash
// to be checked against.
#include "auth/credentials.h"

#include <gtest/gtest.h>

#include <crypt.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace ts::auth {
namespace {

constexpr const char* kSha512 =
    "$6$abcdefgh12345678$hH3FjZZkD.RuGmIukoJ6X1/ojxI7Q6oXs70HmGNrON9WfqbLQ0xd/ksJZ6H.4WbnNfveboF8"
    "T745gOj/MOnsv.";

std::string yescryptHash() {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$y$", 0, nullptr, 0, setting, sizeof(setting)), nullptr);
  crypt_data data{};
  const char* hash = crypt_rn("secret", setting, &data, sizeof(data));
  EXPECT_NE(hash, nullptr);
  return hash ? hash : "";
}

TEST(Credentials, ReadsUsersSkippingCommentsAndBlankLines) {
  std::string yescrypt = yescryptHash();
  auto users = Credentials::parse(std::string("# alerts senders\n\nalerts:") + kSha512 +
                                  "\r\nops@example.com:" + yescrypt + "\n");
  ASSERT_TRUE(users.ok()) << users.error().message;
  EXPECT_EQ(users->size(), 2u);
  ASSERT_NE(users->hashFor("alerts"), nullptr);
  EXPECT_EQ(*users->hashFor("alerts"), kSha512);
  ASSERT_NE(users->hashFor("ops@example.com"), nullptr);
  EXPECT_EQ(*users->hashFor("ops@example.com"), yescrypt);
  EXPECT_EQ(users->hashFor("Alerts"), nullptr) << "user names are exact";
  EXPECT_EQ(users->hashFor("nobody"), nullptr);
  EXPECT_EQ(users->decoyHash(), kSha512) << "the decoy costs what a real user costs";
}

TEST(Credentials, EmptyFileHasADecoyHash) {
  auto users = Credentials::parse("# nobody yet\n");
  ASSERT_TRUE(users.ok()) << users.error().message;
  EXPECT_EQ(users->size(), 0u);
  EXPECT_EQ(users->decoyHash().rfind("$6$", 0), 0u);
  EXPECT_EQ(crypt_checksalt(users->decoyHash().c_str()), CRYPT_SALT_OK);
}

TEST(Credentials, MalformedLinesNameTheLine) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"alerts\n", "line 1: expected user:hash"},
      {"# c\n:" + std::string(kSha512) + "\n", "line 2: the user name is empty"},
      {"al erts:" + std::string(kSha512), "line 1: the user name is empty or has spaces"},
      {"alerts:secret\n", "line 1: the hash of alerts is not a crypt(3) hash"},
      {"alerts:" + std::string(kSha512) + ":0:99999\n", "line 1: the hash of alerts is not"},
      {"alerts:$1$abcdefgh$abcdefghijklmnopqrstuv\n", "line 1: the hash of alerts uses a legacy"},
      {"alerts:$9$nonsense\n", "line 1: the hash of alerts is malformed or of an unknown method"},
      {"a:" + std::string(kSha512) + "\na:" + std::string(kSha512) + "\n",
       "line 2: user a is listed twice"},
  };
  for (const Case& c : cases) {
    auto users = Credentials::parse(c.text);
    ASSERT_FALSE(users.ok()) << c.text;
    EXPECT_EQ(users.error().message.rfind(c.expected, 0), 0u)
        << c.text << " gave: " << users.error().message;
  }
}

TEST(Credentials, LoadNamesTheFile) {
  auto missing = Credentials::load("/nonexistent/textscreen-users");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "auth_users_file /nonexistent/textscreen-users: cannot be read");

  char path[] = "/tmp/textscreen-users-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::ofstream(path) << "alerts:" << kSha512 << "\nbroken\n";
  auto bad = Credentials::load(path);
  std::ofstream(path) << "alerts:" << kSha512 << "\n";
  auto good = Credentials::load(path);
  std::remove(path);
  close(fd);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            std::string("auth_users_file ") + path + ": line 2: expected user:hash");
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_NE((*good)->hashFor("alerts"), nullptr);
}

}  // namespace
}  // namespace ts::auth
