// DMARC records and alignment: which TXT records count, what libopendmarc reads from them
// (after the tags it mishandles are dropped), and Organizational Domains from libpsl.
#include "checks/dmarc/dmarc_record.h"

#include <gtest/gtest.h>

#include "checks/dmarc/organizational_domain.h"

namespace ts {
namespace {

TEST(DmarcRecord, OnlyRecordsStartingWithTheVersionCount) {
  EXPECT_TRUE(isDmarcRecord("v=DMARC1; p=none"));
  EXPECT_TRUE(isDmarcRecord("v=DMARC1"));
  EXPECT_TRUE(isDmarcRecord("V = DMARC1;p=reject"));
  EXPECT_FALSE(isDmarcRecord("p=reject; v=DMARC1"));
  EXPECT_FALSE(isDmarcRecord("v=DMARC10; p=reject"));
  EXPECT_FALSE(isDmarcRecord("v=dmarc1; p=reject"));
  EXPECT_FALSE(isDmarcRecord(" v=DMARC1; p=reject"));
  EXPECT_FALSE(isDmarcRecord("v=spf1 -all"));
  EXPECT_FALSE(isDmarcRecord(""));
}

TEST(DmarcRecord, ReadsTheTagsThatDecide) {
  auto r =
      parseDmarcRecord("v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=S; pct=25", "example.com");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->p, DmarcPolicy::kQuarantine);
  EXPECT_TRUE(r->has_sp);
  EXPECT_EQ(r->sp, DmarcPolicy::kReject);
  EXPECT_EQ(r->adkim, Alignment::kStrict);
  EXPECT_EQ(r->aspf, Alignment::kStrict);
  EXPECT_EQ(r->pct, 25);

  auto defaults = parseDmarcRecord("v=DMARC1;p=reject", "example.com");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->p, DmarcPolicy::kReject);
  EXPECT_FALSE(defaults->has_sp);
  EXPECT_EQ(defaults->sp, DmarcPolicy::kReject);  // sp defaults to p
  EXPECT_EQ(defaults->adkim, Alignment::kRelaxed);
  EXPECT_EQ(defaults->aspf, Alignment::kRelaxed);
  EXPECT_EQ(defaults->pct, 100);
}

// RFC 7489 6.3: bad values of optional tags give way to the defaults.
TEST(DmarcRecord, BadOptionalValuesFallBackToDefaults) {
  for (const char* rec :
       {"v=DMARC1; p=none; pct=abc", "v=DMARC1; p=none; pct=150", "v=DMARC1; p=none; pct=-5",
        "v=DMARC1; p=none; adkim=x; aspf=strictly", "v=DMARC1; p=none; rf=iodef"}) {
    auto r = parseDmarcRecord(rec, "example.com");
    ASSERT_TRUE(r.ok()) << rec << ": " << r.error().message;
    EXPECT_EQ(r->pct, 100) << rec;
    EXPECT_EQ(r->adkim, Alignment::kRelaxed) << rec;
    EXPECT_EQ(r->aspf, Alignment::kRelaxed) << rec;
  }
}

TEST(DmarcRecord, ARecordWithoutAUsablePIsRefused) {
  EXPECT_FALSE(parseDmarcRecord("v=DMARC1; rua=mailto:d@example.com", "example.com").ok());
  EXPECT_FALSE(parseDmarcRecord("v=DMARC1; p=bogus", "example.com").ok());
  EXPECT_FALSE(parseDmarcRecord("v=DMARC1; p=", "example.com").ok());
  EXPECT_FALSE(parseDmarcRecord("v=DMARC1; p=reject; sp=bogus", "example.com").ok());
}

TEST(DmarcRecord, LongTagsDoNotReachLibopendmarc) {
  std::string rua = "mailto:" + std::string(505, 'a') + "@example.com";
  for (std::size_t n : {511u, 512u, 513u, 9000u}) {
    auto r = parseDmarcRecord("v=DMARC1; p=reject; rua=" + std::string(n, 'x') + "; ruf=" + rua,
                              "example.com");
    ASSERT_TRUE(r.ok()) << n;
    EXPECT_EQ(r->p, DmarcPolicy::kReject);
  }
}

TEST(DmarcAlignment, OrganizationalDomainsComeFromThePublicSuffixList) {
  EXPECT_EQ(organizationalDomain("example.com"), "example.com");
  EXPECT_EQ(organizationalDomain("a.b.example.com"), "example.com");
  EXPECT_EQ(organizationalDomain("mail.example.co.uk"), "example.co.uk");
  EXPECT_EQ(organizationalDomain("Mail.Example.COM."), "example.com");
  EXPECT_EQ(organizationalDomain("victim.github.io"), "victim.github.io");
  EXPECT_EQ(organizationalDomain("co.uk"), "co.uk");  // a public suffix is its own
  EXPECT_EQ(organizationalDomain("localhost"), "localhost");
}

TEST(DmarcAlignment, RelaxedIsTheSameOrganizationalDomainStrictTheSameName) {
  EXPECT_TRUE(aligned("example.com", "mail.example.com", Alignment::kRelaxed));
  EXPECT_TRUE(aligned("news.example.com", "mail.example.com", Alignment::kRelaxed));
  EXPECT_FALSE(aligned("example.com", "mail.example.com", Alignment::kStrict));
  EXPECT_FALSE(aligned("a.example.com", "b.example.com", Alignment::kStrict));
  EXPECT_TRUE(aligned("example.com", "EXAMPLE.com.", Alignment::kStrict));
  EXPECT_FALSE(aligned("example.com", "com", Alignment::kRelaxed));
  EXPECT_FALSE(aligned("victim.github.io", "attacker.github.io", Alignment::kRelaxed));
  EXPECT_FALSE(aligned("github.io", "attacker.github.io", Alignment::kRelaxed));
  EXPECT_FALSE(aligned("example.co.uk", "other.co.uk", Alignment::kRelaxed));
  EXPECT_FALSE(aligned("example.com", "", Alignment::kRelaxed));
}

}  // namespace
}  // namespace ts
