// Staff sign-in: the Basic header's parsing, loopback-only mode without a users file, and
// with one: no credentials or a wrong password asks again (401), the right one admits
// the user, and a second request with the same credentials needs no new hash.
#include "web/staff_auth.h"

#include <gtest/gtest.h>

#include <event2/event.h>

#include <chrono>
#include <optional>

namespace ts {
namespace {

// "correct horse" under SHA-512 crypt.
constexpr const char* kUsers =
    "alice:$6$abcdefgh12345678$hH3FjZZkD.RuGmIukoJ6X1/ojxI7Q6oXs70HmGNrON9WfqbLQ0xd/ksJZ6H."
    "4WbnNfveboF8T745gOj/MOnsv.\n";
// base64("alice:correct horse") and base64("alice:wrong") and base64("bob:correct horse")
constexpr const char* kAliceRight = "Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==";
constexpr const char* kAliceWrong = "Basic YWxpY2U6d3Jvbmc=";
constexpr const char* kBob = "Basic Ym9iOmNvcnJlY3QgaG9yc2U=";

TEST(BasicAuthorization, Parses) {
  auto c = parseBasicAuthorization(kAliceRight);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->password, "correct horse");
  auto lower = parseBasicAuthorization("basic YWxpY2U6Y29ycmVjdCBob3JzZQ==");
  ASSERT_TRUE(lower.has_value());
  // A password may hold colons: only the first one separates.
  auto colon = parseBasicAuthorization("Basic YTpiOmM=");
  ASSERT_TRUE(colon.has_value());
  EXPECT_EQ(colon->user, "a");
  EXPECT_EQ(colon->password, "b:c");
}

TEST(BasicAuthorization, RefusesOtherSchemesAndBrokenValues) {
  EXPECT_FALSE(parseBasicAuthorization(""));
  EXPECT_FALSE(parseBasicAuthorization("Bearer abc"));
  EXPECT_FALSE(parseBasicAuthorization("Basic"));
  EXPECT_FALSE(parseBasicAuthorization("Basic !!!!"));
  EXPECT_FALSE(parseBasicAuthorization("Basic YWxpY2U="));  // "alice": no colon
  EXPECT_FALSE(parseBasicAuthorization("Basic OnB3"));      // ":pw": no user
}

class StaffAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = event_base_new();
    verifier_ = std::make_unique<auth::PasswordVerifier>(base_);
    auto users = auth::Credentials::parse(kUsers);
    ASSERT_TRUE(users.ok());
    users_ = std::make_shared<const auth::Credentials>(std::move(*users));
    auth_ = std::make_unique<StaffAuth>(*verifier_, [this] { return now_; });
  }
  void TearDown() override {
    auth_.reset();
    verifier_.reset();
    event_base_free(base_);
  }

  struct Outcome {
    std::optional<std::string> user;
    std::optional<int> status;
    bool challenged = false;
  };

  // Runs one request through admit and the loop until it is answered, with a bound.
  Outcome admit(const std::string& authorization, const std::string& peer,
                std::shared_ptr<const auth::Credentials> users) {
    HttpRequest request;
    request.authorization = authorization;
    request.peer = *SocketAddress::parse(peer);
    Outcome out;
    HttpReply reply = [&out](HttpResponse response) {
      out.status = response.status;
      for (const auto& [name, value] : response.headers)
        if (name == "WWW-Authenticate") out.challenged = true;
    };
    auth_->admit(request, std::move(users), reply, [&out](std::string user) { out.user = user; });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    timeval tick{0, 20'000};
    event* timer = evtimer_new(
        base_, [](evutil_socket_t, short, void*) {}, nullptr);
    while (!out.user && !out.status && std::chrono::steady_clock::now() < deadline) {
      evtimer_add(timer, &tick);
      event_base_loop(base_, EVLOOP_ONCE);
    }
    event_free(timer);
    return out;
  }

  event_base* base_ = nullptr;
  std::unique_ptr<auth::PasswordVerifier> verifier_;
  std::shared_ptr<const auth::Credentials> users_;
  std::unique_ptr<StaffAuth> auth_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

TEST_F(StaffAuthTest, WithoutUsersOnlyLoopbackIsAdmitted) {
  Outcome local = admit("", "127.0.0.1:40000", nullptr);
  EXPECT_EQ(local.user.value_or(""), "loopback");
  Outcome local6 = admit("", "[::1]:40000", nullptr);
  EXPECT_EQ(local6.user.value_or(""), "loopback");
  Outcome remote = admit(kAliceRight, "192.0.2.7:40000", nullptr);
  EXPECT_FALSE(remote.user);
  EXPECT_EQ(remote.status.value_or(0), 403);
}

TEST_F(StaffAuthTest, AsksForCredentials) {
  Outcome none = admit("", "127.0.0.1:40000", users_);
  EXPECT_EQ(none.status.value_or(0), 401);
  EXPECT_TRUE(none.challenged);
  EXPECT_FALSE(none.user) << "loopback is no excuse once users are configured";
}

TEST_F(StaffAuthTest, RefusesWrongPasswordAndUnknownUser) {
  Outcome wrong = admit(kAliceWrong, "127.0.0.1:40000", users_);
  EXPECT_EQ(wrong.status.value_or(0), 401);
  EXPECT_FALSE(wrong.user);
  Outcome bob = admit(kBob, "127.0.0.1:40000", users_);
  EXPECT_EQ(bob.status.value_or(0), 401);
  EXPECT_FALSE(bob.user);
}

TEST_F(StaffAuthTest, AdmitsTheRightPasswordAndRemembersIt) {
  Outcome first = admit(kAliceRight, "127.0.0.1:40000", users_);
  EXPECT_EQ(first.user.value_or(""), "alice");
  // Remembered: admitted at once, before the loop runs.
  HttpRequest request;
  request.authorization = kAliceRight;
  std::optional<std::string> user;
  auth_->admit(
      request, users_, [](HttpResponse) {}, [&user](std::string u) { user = u; });
  EXPECT_EQ(user.value_or(""), "alice");
  // After the memory lapses the hash is checked again (still right, answered later).
  now_ += std::chrono::minutes(6);
  std::optional<std::string> later;
  auth_->admit(
      request, users_, [](HttpResponse) {}, [&later](std::string u) { later = u; });
  EXPECT_FALSE(later);
  Outcome again = admit(kAliceRight, "127.0.0.1:40000", users_);
  EXPECT_EQ(again.user.value_or(""), "alice");
}

}  // namespace
}  // namespace ts
