// Invariant 7 with stubbed authentication results: an allowlist entry trusts only an
// authenticated sender, and only for recipients in its scope.
#include "policy/allowlist_trust.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

store::AllowEntry entry(bool subdomains = false, std::vector<std::string> scope = {}) {
  store::AllowEntry e;
  e.domain = "dispatch.example";
  e.subdomains = subdomains;
  e.scope = std::move(scope);
  return e;
}

AuthenticationResult spf(std::string d) {
  return AuthenticationResult{std::move(d), {}};
}
AuthenticationResult dkim(std::string d) {
  return AuthenticationResult{"", {std::move(d)}};
}

TEST(AllowlistTrust, NoEntryNoTrust) {
  EXPECT_EQ(allowlistStanding(nullptr, "dispatch.example", "14155551212", spf("dispatch.example")),
            AllowlistStanding::kNotListed);
}

TEST(AllowlistTrust, UnauthenticatedIsScreenedAsUsual) {
  auto e = entry();
  EXPECT_EQ(allowlistStanding(&e, "dispatch.example", "14155551212", {}),
            AllowlistStanding::kNotAuthenticated);
  // SPF passed, but for another domain: a forged envelope gets nothing.
  EXPECT_EQ(allowlistStanding(&e, "dispatch.example", "14155551212", spf("evil.example")),
            AllowlistStanding::kNotAuthenticated);
  // DKIM passed for an unrelated d=.
  EXPECT_EQ(allowlistStanding(&e, "dispatch.example", "14155551212", dkim("evil.example")),
            AllowlistStanding::kNotAuthenticated);
}

TEST(AllowlistTrust, SpfOrAlignedDkimTrusts) {
  auto e = entry();
  EXPECT_EQ(allowlistStanding(&e, "dispatch.example", "14155551212", spf("DISPATCH.example")),
            AllowlistStanding::kTrusted);
  EXPECT_EQ(allowlistStanding(&e, "dispatch.example", "14155551212", dkim("dispatch.example")),
            AllowlistStanding::kTrusted);
}

TEST(AllowlistTrust, SubdomainsOnlyWhenTheEntrySaysSo) {
  auto exact = entry(false);
  EXPECT_EQ(allowlistStanding(&exact, "mail.dispatch.example", "14155551212",
                              spf("mail.dispatch.example")),
            AllowlistStanding::kNotAuthenticated);
  auto wide = entry(true);
  EXPECT_EQ(allowlistStanding(&wide, "mail.dispatch.example", "14155551212",
                              spf("mail.dispatch.example")),
            AllowlistStanding::kTrusted);
  // Relaxed alignment: d= of the parent signs for the subdomain's envelope.
  EXPECT_EQ(
      allowlistStanding(&wide, "mail.dispatch.example", "14155551212", dkim("dispatch.example")),
      AllowlistStanding::kTrusted);
  // A lookalike is not a subdomain.
  EXPECT_EQ(
      allowlistStanding(&wide, "evildispatch.example", "14155551212", spf("evildispatch.example")),
      AllowlistStanding::kNotAuthenticated);
}

TEST(AllowlistTrust, ScopeLimitsTheRecipients) {
  auto e = entry(false, {"1415555*", "12015550123"});
  auto auth = spf("dispatch.example");
  EXPECT_EQ(allowlistStanding(&e, "dispatch.example", "14155551212", auth),
            AllowlistStanding::kTrusted);
  EXPECT_EQ(allowlistStanding(&e, "dispatch.example", "12015550123", auth),
            AllowlistStanding::kTrusted);
  EXPECT_EQ(allowlistStanding(&e, "dispatch.example", "16505550100", auth),
            AllowlistStanding::kOutOfScope);
}

}  // namespace
}  // namespace ts
