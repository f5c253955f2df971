// The CSRF guard: a token is good for its user for its lifetime only, a forged or
// altered one is refused, and a POST from another origin is refused whatever it carries.
#include "web/csrf_guard.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr WebSecret kKey{1, 2, 3};
constexpr WebSecret kOtherKey{3, 2, 1};

HttpRequest post(std::string token, std::string origin = "http://127.0.0.1:8080") {
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.host = "127.0.0.1:8080";
  request.origin = std::move(origin);
  request.form = {{"csrf", std::move(token)}};
  return request;
}

TEST(CsrfGuard, AcceptsItsOwnTokenForTheSameUser) {
  CsrfGuard guard(kKey);
  EXPECT_EQ(guard.refusal(post(guard.tokenFor("alice", kNow)), "alice", kNow + 10), "");
  // Without an Origin header (an older browser): the token alone decides.
  EXPECT_EQ(guard.refusal(post(guard.tokenFor("alice", kNow), ""), "alice", kNow), "");
}

TEST(CsrfGuard, RefusesAnotherUsersToken) {
  CsrfGuard guard(kKey);
  EXPECT_NE(guard.refusal(post(guard.tokenFor("alice", kNow)), "mallory", kNow), "");
}

TEST(CsrfGuard, RefusesMissingForgedAndAlteredTokens) {
  CsrfGuard guard(kKey);
  EXPECT_NE(guard.refusal(post(""), "alice", kNow), "");
  EXPECT_NE(guard.refusal(post("garbage"), "alice", kNow), "");
  EXPECT_NE(guard.refusal(post("1800000000.00"), "alice", kNow), "");
  std::string token = guard.tokenFor("alice", kNow);
  std::string later = std::to_string(kNow + 5) + token.substr(token.find('.'));
  EXPECT_NE(guard.refusal(post(later), "alice", kNow + 5), "") << "the time is under the MAC";
  CsrfGuard other(kOtherKey);
  EXPECT_NE(other.refusal(post(token), "alice", kNow), "") << "made under another key";
}

TEST(CsrfGuard, TokensExpire) {
  CsrfGuard guard(kKey);
  std::string token = guard.tokenFor("alice", kNow);
  EXPECT_EQ(guard.refusal(post(token), "alice", kNow + CsrfGuard::kLifetimeSeconds), "");
  EXPECT_NE(guard.refusal(post(token), "alice", kNow + CsrfGuard::kLifetimeSeconds + 1), "");
  EXPECT_NE(guard.refusal(post(guard.tokenFor("alice", kNow + 3600)), "alice", kNow), "")
      << "issued in the future";
}

TEST(CsrfGuard, RefusesAForeignOrigin) {
  CsrfGuard guard(kKey);
  std::string token = guard.tokenFor("alice", kNow);
  EXPECT_NE(guard.refusal(post(token, "http://evil.example"), "alice", kNow), "");
  EXPECT_NE(guard.refusal(post(token, "null"), "alice", kNow), "");
  EXPECT_NE(guard.refusal(post(token, "https://127.0.0.1:8080"), "alice", kNow), "")
      << "the scheme is part of the origin";
}

}  // namespace
}  // namespace ts
