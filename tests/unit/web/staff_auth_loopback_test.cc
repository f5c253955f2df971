// With no web_staff_users_file the dashboard is for this host only: a loopback client
// (all of 127/8, and ::1) is admitted as "loopback", any other address gets 403 and is
// never admitted. The integration tests cannot show the 403, their clients are loopback.
#include <gtest/gtest.h>

#include <event2/event.h>

#include "auth/password_verifier.h"
#include "web/staff_auth.h"

namespace ts {
namespace {

class StaffAuthLoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override { base_ = event_base_new(); }
  void TearDown() override { event_base_free(base_); }

  // (status of the answer or 0, the user admitted or "")
  std::pair<int, std::string> admit(std::string_view peer) {
    auth::PasswordVerifier verifier(base_);
    StaffAuth staff(verifier, [] { return std::chrono::steady_clock::now(); });
    HttpRequest request;
    request.path = "/staff/";
    request.peer = *SocketAddress::parse(peer);
    int status = 0;
    std::string admitted;
    staff.admit(
        request, nullptr, [&](HttpResponse r) { status = r.status; },
        [&](std::string user) { admitted = std::move(user); });
    return {status, admitted};
  }

  event_base* base_ = nullptr;
};

TEST_F(StaffAuthLoopbackTest, LoopbackClientsAreAdmittedAsLoopback) {
  EXPECT_EQ(admit("127.0.0.1:40000"), (std::pair<int, std::string>{0, "loopback"}));
  EXPECT_EQ(admit("127.3.2.1:40000"), (std::pair<int, std::string>{0, "loopback"}));
  EXPECT_EQ(admit("[::1]:40000"), (std::pair<int, std::string>{0, "loopback"}));
}

TEST_F(StaffAuthLoopbackTest, OtherClientsAreRefused) {
  EXPECT_EQ(admit("192.0.2.7:40000"), (std::pair<int, std::string>{403, ""}));
  EXPECT_EQ(admit("10.0.0.1:40000"), (std::pair<int, std::string>{403, ""}));
  EXPECT_EQ(admit("[2001:db8::1]:40000"), (std::pair<int, std::string>{403, ""}));
}

}  // namespace
}  // namespace ts
