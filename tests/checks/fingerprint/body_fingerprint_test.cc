// The bulk fingerprint and the campaign clusters: what normalisation removes, that one
// campaign's variants land in one cluster while unrelated alerts do not, and that the
// index forgets its least recently used clusters.
#include "checks/fingerprint/body_fingerprint.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>
#include <string>

#include "checks/fingerprint/cluster_index.h"

namespace ts {
namespace {

TEST(Fingerprint, Normalise) {
  struct Case {
    const char* text;
    const char* normal;
  };
  const Case cases[] = {
      {"", ""},
      {" \r\n\t ", ""},
      {"  Hello \t World\r\n\r\n", "hello world"},
      {"Call 555-123-4567 now", "call # now"},
      {"Pay $1,234.56 or $9 by 11/20/2026 10:30", "pay $# or $# by #"},
      {"Order A1234B", "order a#b"},
      {"Visit https://Track.Example.COM/abc/123?x=1#top today",
       "visit url:track.example.com today"},
      {"see www.Example.com/path.", "see url:example.com"},
      {"Call +44 20 7946 0958 or 555 010 1234.", "call +# or #."},
      {"<http://user@host42.example:8080/x>", "<url:host#.example>"},
      {"http://[2001:db8::1]:80/x", "url:[#:db#::#]"},
      {"awww.example.com", "awww.example.com"},
      {"Caf\xc3\xa9 CR\xc3\x88ME", "caf\xc3\xa9 cr\xc3\x88me"},
  };
  for (const Case& c : cases) EXPECT_EQ(normaliseBody(c.text), c.normal) << c.text;
}

TEST(Fingerprint, EmptyText) {
  BodyFingerprint fp = fingerprintBody(" \r\n ");
  EXPECT_TRUE(fp.empty);
  EXPECT_EQ(similarity(fp, fp), 0);
  ClusterIndex index(10, 0.6);
  EXPECT_EQ(index.assign(fp), 0u);
  EXPECT_EQ(index.size(), 0u);
}

TEST(Fingerprint, ShortTextsHaveFingerprints) {
  BodyFingerprint one = fingerprintBody("Down");
  BodyFingerprint two = fingerprintBody("Server down");
  EXPECT_FALSE(one.empty);
  EXPECT_FALSE(two.empty);
  EXPECT_EQ(similarity(one, fingerprintBody("DOWN ")), 1);
  EXPECT_LT(similarity(one, two), 0.5);
}

TEST(Fingerprint, SameTemplateDifferentNumbersIsExact) {
  BodyFingerprint a = fingerprintBody("Truck 42 dispatched from depot 7 at 09:15, ETA 11:40.");
  BodyFingerprint b = fingerprintBody("Truck 8 dispatched from depot 12 at 14:02, ETA 16:30.");
  EXPECT_EQ(a.exact, b.exact);
  EXPECT_EQ(similarity(a, b), 1);
}

std::string campaign(const char* name, const char* parcel, const char* amount, const char* url,
                     const char* phone) {
  return fmt::format(
      "Hi {}, your parcel {} could not be delivered because of an unpaid customs fee. Pay the "
      "{} redelivery fee at {} or call {} within 24 hours, otherwise the parcel is returned to "
      "the sender. Reply STOP to opt out.",
      name, parcel, amount, url, phone);
}

const std::string kCampaign[] = {
    campaign("John", "US9514901185421", "$1.99", "https://parcel-help.example/t/a8f3k2?u=1",
             "555-010-4477"),
    campaign("Maria", "US2231904417", "$2.49", "https://parcel-help.example/track/zz91",
             "555-010-9911"),
    "  HI WEI,   your parcel US77120 could not be delivered\r\nbecause of an unpaid customs "
    "fee.\r\nPay the $0.99 redelivery fee at http://PARCEL-HELP.example/x or call 555-010-0000 "
    "within 24 hours, otherwise the parcel is returned to the sender. Reply STOP to opt out.",
    campaign("Dr. Anne-Marie Okafor", "US1", "$12.00", "www.parcel-help.example/q?r=5",
             "555 010 1234"),
};

const char* const kUnrelated[] = {
    "Truck 42 dispatched from depot 7 at 09:15, ETA 11:40.",
    "Your library hold is ready: The Silent Patient. Pick it up by Friday at the Main branch.",
    "ALERT: Server db01 down since 03:12 UTC. On-call engineer has been paged.",
    "Reminder: your court date is 12/14 at 9:00 AM, Room 4B, County Courthouse.",
    "Your parcel has been delivered to the front door. Thank you for shopping with us.",
};

TEST(Fingerprint, NearDuplicatesAreSimilar) {
  BodyFingerprint first = fingerprintBody(kCampaign[0]);
  for (const std::string& text : kCampaign) {
    EXPECT_GE(similarity(first, fingerprintBody(text)), 0.6) << text;
  }
  for (const char* text : kUnrelated) {
    EXPECT_LT(similarity(first, fingerprintBody(text)), 0.2) << text;
  }
}

TEST(ClusterIndex, CampaignVariantsShareACluster) {
  ClusterIndex index(100, 0.6);
  std::uint64_t id = index.assign(fingerprintBody(kCampaign[0]));
  EXPECT_NE(id, 0u);
  for (const std::string& text : kCampaign) {
    EXPECT_EQ(index.assign(fingerprintBody(text)), id) << text;
  }
  EXPECT_EQ(index.size(), 1u);
}

TEST(ClusterIndex, UnrelatedAlertsAreApart) {
  ClusterIndex index(100, 0.6);
  std::set<std::uint64_t> ids;
  ids.insert(index.assign(fingerprintBody(kCampaign[0])));
  for (const char* text : kUnrelated) ids.insert(index.assign(fingerprintBody(text)));
  EXPECT_EQ(ids.size(), std::size(kUnrelated) + 1);
  EXPECT_EQ(ids.count(0), 0u);
  EXPECT_EQ(index.size(), ids.size());
}

TEST(ClusterIndex, OneTemplateWithDifferentNumbersIsOneCluster) {
  ClusterIndex index(100, 0.6);
  std::uint64_t a = index.assign(fingerprintBody("Server db01 down since 03:12 UTC"));
  std::uint64_t b = index.assign(fingerprintBody("Server db17 down since 22:40 UTC"));
  EXPECT_EQ(a, b);
}

TEST(ClusterIndex, IdIsTheFirstMembersExactHash) {
  ClusterIndex index(100, 0.6);
  BodyFingerprint fp = fingerprintBody(kUnrelated[1]);
  EXPECT_EQ(index.assign(fp), fp.exact);
}

TEST(ClusterIndex, ForgetsLeastRecentlyAssigned) {
  ClusterIndex index(3, 0.6);
  std::uint64_t parcel = index.assign(fingerprintBody(kCampaign[0]));
  std::uint64_t library = index.assign(fingerprintBody(kUnrelated[1]));
  index.assign(fingerprintBody(kUnrelated[2]));
  EXPECT_EQ(index.assign(fingerprintBody(kCampaign[1])), parcel);  // the parcel one is fresh
  index.assign(fingerprintBody(kUnrelated[3]));                    // the library one goes
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.assign(fingerprintBody(kCampaign[2])), parcel);
  BodyFingerprint library_again =
      fingerprintBody("Your library hold is ready: Dune. Pick it up by Friday at the Main branch.");
  std::uint64_t renewed = index.assign(library_again);
  EXPECT_NE(renewed, library);
  EXPECT_EQ(renewed, library_again.exact);
  EXPECT_EQ(index.size(), 3u);
}

TEST(ClusterIndex, StaysWithinCapacity) {
  ClusterIndex index(500, 0.6);
  std::set<std::uint64_t> ids;
  for (int i = 0; i < 5000; ++i) {
    std::string text = fmt::format(
        "alert kind {} about system {} in zone {}", std::string(1 + i % 7, 'a' + i % 26),
        std::string(1 + i % 5, 'b' + i % 13), std::string(1 + i % 3, 'c' + i % 11));
    std::uint64_t id = index.assign(fingerprintBody(text));
    EXPECT_NE(id, 0u);
    ids.insert(id);
    EXPECT_LE(index.size(), 500u);
  }
  EXPECT_GT(ids.size(), 1u);
}

}  // namespace
}  // namespace ts
