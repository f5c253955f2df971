// Signs test messages with libopendkim's own signer and the fixed keys under keys/, so the
// verifier is tested against real signatures (made with opendkim-genkey; the ed25519
// message is made once by make_ed25519_message.py, since libopendkim's ed25519 signer
// leaks and LeakSanitizer runs in CI).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "checks/dkim/opendkim.h"

namespace ts::dkim_testing {

inline std::string readTestFile(const std::string& name) {
  std::ifstream in(std::string(TEXTSCREEN_SOURCE_DIR "/tests/checks/dkim/") + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A key record as published: the file's one line without its line end.
inline std::string keyRecord(const std::string& name) {
  std::string record = readTestFile("keys/" + name);
  while (!record.empty() && (record.back() == '\n' || record.back() == '\r')) record.pop_back();
  return record;
}

// Files are stored with LF line ends; mail has CRLF.
inline std::string withCrlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

class TestSigner {
 public:
  TestSigner() : lib_(dkim_init(nullptr, nullptr)) {}
  ~TestSigner() { dkim_close(lib_); }
  TestSigner(const TestSigner&) = delete;
  TestSigner& operator=(const TestSigner&) = delete;

  // The message with a DKIM-Signature field on top, signed relaxed/relaxed with the PEM key
  // in keys/<key_file>. body_length >= 0 adds l= (sign only that many body bytes).
  std::string sign(const std::string& message, const std::string& key_file,
                   const std::string& selector, const std::string& domain = "example.com",
                   dkim_alg_t algorithm = DKIM_SIGN_RSASHA256, ssize_t body_length = -1) {
    std::string key = readTestFile("keys/" + key_file);
    DKIM_STAT status = DKIM_STAT_OK;
    DKIM* dkim = dkim_sign(lib_, bytes("test"), nullptr, bytes(key), bytes(selector), bytes(domain),
                           DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, algorithm, body_length, &status);
    EXPECT_NE(dkim, nullptr) << "dkim_sign: " << status;
    if (dkim == nullptr) return message;
    std::size_t end = message.find("\r\n\r\n");
    std::string_view header = std::string_view(message).substr(0, end + 2);
    std::size_t pos = 0;
    while (pos < header.size()) {
      std::size_t field_end = header.find("\r\n", pos);
      while (field_end + 2 < header.size() &&
             (header[field_end + 2] == ' ' || header[field_end + 2] == '\t')) {
        field_end = header.find("\r\n", field_end + 2);
      }
      EXPECT_EQ(dkim_header(dkim, bytes(header.substr(pos, field_end - pos)), field_end - pos),
                DKIM_STAT_OK);
      pos = field_end + 2;
    }
    EXPECT_EQ(dkim_eoh(dkim), DKIM_STAT_OK);
    std::string body = message.substr(end + 4);
    if (!body.empty()) {
      EXPECT_EQ(dkim_body(dkim, bytes(body), body.size()), DKIM_STAT_OK);
    }
    EXPECT_EQ(dkim_eom(dkim, nullptr), DKIM_STAT_OK) << dkim_geterror(dkim);
    unsigned char* field = nullptr;
    std::size_t field_length = 0;
    const std::string name = "DKIM-Signature: ";
    EXPECT_EQ(dkim_getsighdr_d(dkim, name.size(), &field, &field_length), DKIM_STAT_OK);
    std::string signed_message =
        name + std::string(reinterpret_cast<char*>(field), field_length) + "\r\n" + message;
    dkim_free(dkim);
    return signed_message;
  }

 private:
  static unsigned char* bytes(std::string_view text) {
    return const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(text.data()));
  }

  DKIM_LIB* lib_;
};

}  // namespace ts::dkim_testing
