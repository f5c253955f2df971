// Table-driven cases of the HELO syntax check: what passes, what fails and with which
// enhanced code; the reason always names the HELO it judged.
#include "checks/helo/helo_check.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

ClientContext context(const char* helo, const char* peer = "192.0.2.10:40000") {
  return ClientContext{
      *SocketAddress::parse(peer), helo, "mx.carrier.example", {"sms.example.net"}};
}

struct Case {
  const char* helo;
  const char* peer;
  Outcome outcome;
  const char* enhanced;  // for failures
};

TEST(HeloCheck, Table) {
  const Case cases[] = {
      {"mail.example.com", "192.0.2.10:1", Outcome::kPass, ""},
      {"MAIL.Example.COM", "192.0.2.10:1", Outcome::kPass, ""},
      {"a-b.c1.example", "192.0.2.10:1", Outcome::kPass, ""},
      {"[192.0.2.10]", "192.0.2.10:1", Outcome::kPass, ""},
      {"[192.0.2.10]", "[::ffff:192.0.2.10]:1", Outcome::kPass, ""},
      {"[IPv6:2001:db8::1]", "[2001:db8::1]:1", Outcome::kPass, ""},
      {"[192.0.2.11]", "192.0.2.10:1", Outcome::kFail, "5.7.1"},
      {"[IPv6:2001:db8::2]", "[2001:db8::1]:1", Outcome::kFail, "5.7.1"},
      {"[not-an-address]", "192.0.2.10:1", Outcome::kFail, "5.5.2"},
      {"192.0.2.10", "192.0.2.10:1", Outcome::kFail, "5.5.2"},
      {"2001:db8::1", "[2001:db8::1]:1", Outcome::kFail, "5.5.2"},
      {"localhost", "192.0.2.10:1", Outcome::kFail, "5.5.2"},
      {"-bad.example", "192.0.2.10:1", Outcome::kFail, "5.5.2"},
      {"bad-.example", "192.0.2.10:1", Outcome::kFail, "5.5.2"},
      {"under_score.example", "192.0.2.10:1", Outcome::kFail, "5.5.2"},
      {"trailing.example.", "192.0.2.10:1", Outcome::kFail, "5.5.2"},
      {"double..dot.example", "192.0.2.10:1", Outcome::kFail, "5.5.2"},
      {"mx.carrier.example", "192.0.2.10:1", Outcome::kFail, "5.7.1"},
      {"SMS.example.net", "192.0.2.10:1", Outcome::kFail, "5.7.1"},
  };
  HeloCheck check(HeloConfig{Action::kScore, 3});
  for (const Case& c : cases) {
    CheckResult r = check.evaluate(context(c.helo, c.peer));
    EXPECT_EQ(r.check, "helo");
    EXPECT_EQ(r.outcome, c.outcome) << c.helo << " from " << c.peer << ": " << r.reason;
    if (c.outcome == Outcome::kFail) {
      EXPECT_EQ(r.enhanced, c.enhanced) << c.helo;
      EXPECT_NE(r.reason.find(c.helo), std::string::npos) << r.reason;
      EXPECT_EQ(r.score, 3) << c.helo;
    } else {
      EXPECT_EQ(r.score, 0) << c.helo;
    }
  }
}

TEST(HeloCheck, LongLabelsAndNames) {
  HeloCheck check(HeloConfig{});
  std::string label63(63, 'a'), label64(64, 'a');
  EXPECT_EQ(check.evaluate(context((label63 + ".example").c_str())).outcome, Outcome::kPass);
  EXPECT_EQ(check.evaluate(context((label64 + ".example").c_str())).outcome, Outcome::kFail);
}

}  // namespace
}  // namespace ts
