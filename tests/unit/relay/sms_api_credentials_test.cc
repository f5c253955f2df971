// The credentials file: read when private to the daemon's user, refused with the fix named
// when it is open to others, not a regular file, or is missing a key or a value.
#include "relay/sms_api_credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ts {
namespace {

class SmsApiCredentialsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("textscreen-sms-credentials-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& text, mode_t mode = 0600) {
    std::string path = (dir_ / "credentials").string();
    std::ofstream(path) << text;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  std::string refusal(const std::string& text, mode_t mode = 0600) {
    auto read = readSmsApiCredentials(write(text, mode));
    EXPECT_FALSE(read.ok());
    return read.ok() ? "" : read.error().message;
  }

  std::filesystem::path dir_;
};

TEST_F(SmsApiCredentialsFile, ReadsBothKeysSkippingCommentsAndBlankLines) {
  auto read = readSmsApiCredentials(
      write("# Twilio, live account\n\naccount_sid = AC0123456789abcdef0123456789abcdef\r\n"
            "  auth_token=s3cr3t=with/equals+signs  \n"));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->account_sid, "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(read->auth_token, "s3cr3t=with/equals+signs");
}

TEST_F(SmsApiCredentialsFile, OpenToOthersIsRefusedWithChmod) {
  std::string path = write("account_sid=AC1\nauth_token=t\n", 0644);
  auto read = readSmsApiCredentials(path);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message.find(path), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find("644"), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find("chmod 600"), std::string::npos) << read.error().message;
  EXPECT_NE(refusal("account_sid=AC1\nauth_token=t\n", 0640).find("chmod 600"), std::string::npos);
  EXPECT_NE(refusal("account_sid=AC1\nauth_token=t\n", 0602).find("chmod 600"), std::string::npos);
}

TEST_F(SmsApiCredentialsFile, OwnerReadOnlyIsAccepted) {
  auto read = readSmsApiCredentials(write("account_sid=AC1\nauth_token=t\n", 0400));
  EXPECT_TRUE(read.ok()) << read.error().message;
}

TEST_F(SmsApiCredentialsFile, MissingKeysAreNamed) {
  EXPECT_NE(refusal("auth_token=t\n").find("account_sid=... is missing"), std::string::npos);
  EXPECT_NE(refusal("account_sid=AC1\n").find("auth_token=... is missing"), std::string::npos);
  EXPECT_NE(refusal("# nothing\n").find("account_sid=... is missing"), std::string::npos);
  EXPECT_NE(refusal("").find("is missing"), std::string::npos);
}

TEST_F(SmsApiCredentialsFile, EmptyValuesAreRefused) {
  EXPECT_NE(refusal("account_sid=\nauth_token=t\n").find("line 1: account_sid is empty"),
            std::string::npos);
  EXPECT_NE(refusal("account_sid=AC1\nauth_token=   \n").find("line 2: auth_token is empty"),
            std::string::npos);
}

TEST_F(SmsApiCredentialsFile, MalformedLinesNameTheLine) {
  EXPECT_NE(refusal("account_sid=AC1\njust a token\n").find("line 2: expected"), std::string::npos);
  EXPECT_NE(refusal("account_sid=AC1\nauth_token=t\napi_key=k\n").find("line 3: unknown key"),
            std::string::npos);
  EXPECT_NE(refusal("account_sid=AC1\naccount_sid=AC2\nauth_token=t\n").find("given twice"),
            std::string::npos);
  EXPECT_NE(refusal("account_sid=AC1/../x\nauth_token=t\n").find("letters and digits"),
            std::string::npos);
  EXPECT_NE(refusal("account_sid=AC1:x\nauth_token=t\n").find("letters and digits"),
            std::string::npos);
  EXPECT_NE(refusal(std::string("account_sid=AC1\nauth_token=a\x01z\n")).find("control"),
            std::string::npos);
}

TEST_F(SmsApiCredentialsFile, MissingFileIsNamed) {
  std::string path = (dir_ / "absent").string();
  auto read = readSmsApiCredentials(path);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message.find("cannot open " + path), std::string::npos);
}

TEST_F(SmsApiCredentialsFile, DirectoryAndFifoAreNotRegularFiles) {
  auto directory = readSmsApiCredentials(dir_.string());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("is not a regular file"), std::string::npos)
      << directory.error().message;
  // A FIFO must not hang the start waiting for a writer.
  std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto pipe = readSmsApiCredentials(fifo);
  ASSERT_FALSE(pipe.ok());
  EXPECT_NE(pipe.error().message.find("is not a regular file"), std::string::npos);
}

TEST_F(SmsApiCredentialsFile, HugeFileIsRefused) {
  std::string text = "account_sid=AC1\nauth_token=t\n" + std::string(100 * 1024, '#');
  EXPECT_NE(refusal(text).find("too large"), std::string::npos);
}

TEST_F(SmsApiCredentialsFile, AnotherOwnerIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can give a file to another user";
  std::string path = write("account_sid=AC1\nauth_token=t\n");
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  auto read = readSmsApiCredentials(path);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message.find("chown"), std::string::npos) << read.error().message;
}

}  // namespace
}  // namespace ts
