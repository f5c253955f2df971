// The DNS list sites as an operator writes them (Postfix's zone[=filter][*weight]), the
// default return-code filter that keeps lists' error codes from counting as listings, and
// the dnsbl_* keys as loaded from a file.
#include "checks/dnsbl/dnsbl_config.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "config/config.h"
#include "unit/config_file.h"

namespace ts {
namespace {

using Octets = std::array<std::uint8_t, 4>;

using ts::testing::loadWith;

TEST(DnsblSite, ZoneOnly) {
  auto site = parseDnsblSite("Zen.Example.");
  ASSERT_TRUE(site.ok()) << site.error().message;
  EXPECT_EQ(site->zone, "zen.example");
  EXPECT_FALSE(site->filter.configured);
  EXPECT_EQ(site->weight, 1);
  EXPECT_EQ(site->text, "Zen.Example.");
}

TEST(DnsblSite, FilterAndWeight) {
  auto site = parseDnsblSite("zen.example=127.0.0.[2..11;20]*3");
  ASSERT_TRUE(site.ok()) << site.error().message;
  EXPECT_EQ(site->zone, "zen.example");
  EXPECT_EQ(site->weight, 3);
  ASSERT_TRUE(site->filter.configured);
  EXPECT_EQ(site->filter.octets[0], (ReturnCodeFilter::OctetRanges{{127, 127}}));
  EXPECT_EQ(site->filter.octets[3], (ReturnCodeFilter::OctetRanges{{2, 11}, {20, 20}}));
  EXPECT_TRUE(site->filter.matches(Octets{127, 0, 0, 2}));
  EXPECT_TRUE(site->filter.matches(Octets{127, 0, 0, 11}));
  EXPECT_TRUE(site->filter.matches(Octets{127, 0, 0, 20}));
  EXPECT_FALSE(site->filter.matches(Octets{127, 0, 0, 12}));
  EXPECT_FALSE(site->filter.matches(Octets{127, 0, 1, 2}));
}

TEST(DnsblSite, RangesInSeveralOctets) {
  auto site = parseDnsblSite("list.dnswl.example=127.0.[0..255].[2;3]*-2");
  ASSERT_TRUE(site.ok()) << site.error().message;
  EXPECT_EQ(site->weight, -2);
  EXPECT_TRUE(site->filter.matches(Octets{127, 0, 17, 3}));
  EXPECT_TRUE(site->filter.matches(Octets{127, 0, 255, 2}));
  EXPECT_FALSE(site->filter.matches(Octets{127, 0, 17, 1}));
}

TEST(DnsblSite, Weights) {
  const std::pair<const char*, double> cases[] = {
      {"a.example*0.5", 0.5}, {"a.example*+2", 2}, {"a.example*-10", -10}, {"a.example*0", 0}};
  for (const auto& [text, weight] : cases) {
    auto site = parseDnsblSite(text);
    ASSERT_TRUE(site.ok()) << text << ": " << site.error().message;
    EXPECT_EQ(site->weight, weight) << text;
  }
  auto with_filter = parseDnsblSite("b.example=127.0.0.2*-1.5");
  ASSERT_TRUE(with_filter.ok()) << with_filter.error().message;
  EXPECT_EQ(with_filter->weight, -1.5);
  EXPECT_TRUE(with_filter->filter.matches(Octets{127, 0, 0, 2}));
}

TEST(DnsblSite, ErrorsSayWhatIsWrong) {
  struct Case {
    const char* text;
    const char* says;  // a part of the message
  };
  const Case cases[] = {
      {"", "zone is missing"},
      {"=127.0.0.2", "zone is missing"},
      {"localhost", "not a DNS list zone"},
      {"bad_zone.example", "not a DNS list zone"},
      {"-bad.example", "not a DNS list zone"},
      {"double..dot.example", "not a DNS list zone"},
      {"zen.example=", "filter after '=' is empty"},
      {"zen.example=127.0.0", "four dot-separated octets"},
      {"zen.example=127.0.0.2.5", "four dot-separated octets"},
      {"zen.example=127.0.0.256", "above 255"},
      {"zen.example=127.0.0.[2..300]", "above 255"},
      {"zen.example=127.0.0.[11..2]", "backwards range 11..2"},
      {"zen.example=127.0.0.[2..11", "without its ']'"},
      {"zen.example=127.0.0.[2.11]", "n..m"},
      {"zen.example=127.0.0.[]", "number from 0 to 255"},
      {"zen.example=127.0.0.[2;]", "number from 0 to 255"},
      {"zen.example=127.0.0.x", "number from 0 to 255"},
      {"zen.example*", "weight '' is not a number"},
      {"zen.example*three", "weight 'three' is not a number"},
      {"zen.example*1e3", "weight '1e3' is not a number"},
      {"zen.example*inf", "weight 'inf' is not a number"},
      {"zen.example*2*3", "weight '2*3' is not a number"},
      {"zen.example*.5", "is not a number"},
  };
  for (const Case& c : cases) {
    auto site = parseDnsblSite(c.text);
    ASSERT_FALSE(site.ok()) << c.text;
    EXPECT_NE(site.error().message.find(c.says), std::string::npos)
        << c.text << ": " << site.error().message;
    EXPECT_NE(site.error().message.find(std::string("'") + c.text + "'"), std::string::npos)
        << "names the site: " << site.error().message;
  }
}

TEST(ReturnCodeFilter, DefaultCountsOnlyListingCodes) {
  ReturnCodeFilter filter;
  EXPECT_TRUE(filter.matches(Octets{127, 0, 0, 2}));
  EXPECT_TRUE(filter.matches(Octets{127, 0, 0, 11}));
  EXPECT_TRUE(filter.matches(Octets{127, 1, 0, 1}));
  EXPECT_TRUE(filter.matches(Octets{127, 255, 254, 255}));
  // Not listings: the loopback answers and the lists' error codes.
  EXPECT_FALSE(filter.matches(Octets{127, 0, 0, 0}));
  EXPECT_FALSE(filter.matches(Octets{127, 0, 0, 1}));
  EXPECT_FALSE(filter.matches(Octets{127, 255, 255, 0}));
  EXPECT_FALSE(filter.matches(Octets{127, 255, 255, 252}));
  EXPECT_FALSE(filter.matches(Octets{127, 255, 255, 254}));
  EXPECT_FALSE(filter.matches(Octets{127, 255, 255, 255}));
  // A hijacking resolver's "helpful" answer.
  EXPECT_FALSE(filter.matches(Octets{192, 0, 2, 1}));
  EXPECT_FALSE(filter.matches(Octets{128, 0, 0, 2}));
}

TEST(DnsblConfigKeys, Defaults) {
  auto c = loadConfig(Invocation{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->dnsbl.sites.empty());
  EXPECT_EQ(c->dnsbl.threshold, 1);
  EXPECT_EQ(c->dnsbl.action, Action::kObserve);
  EXPECT_EQ(c->dnsbl.temperror_action, Action::kObserve);
  EXPECT_EQ(c->dnsbl.timeout, std::chrono::seconds(10));
  EXPECT_TRUE(c->dnsbl.reply_text);
}

TEST(DnsblConfigKeys, FromFile) {
  auto c = loadWith(
      "dnsbl_sites = zen.example=127.0.0.[2..11]*3, wl.example*-5\n"
      "dnsbl_sites = bl.example\n"
      "dnsbl_threshold = 2.5\n"
      "dnsbl_action = reject\n"
      "dnsbl_temperror_action = tempfail\n"
      "dnsbl_timeout = 3s\n"
      "dnsbl_reply_text = no\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->dnsbl.sites.size(), 3u);
  EXPECT_EQ(c->dnsbl.sites[0].zone, "zen.example");
  EXPECT_EQ(c->dnsbl.sites[0].weight, 3);
  EXPECT_EQ(c->dnsbl.sites[1].zone, "wl.example");
  EXPECT_EQ(c->dnsbl.sites[1].weight, -5);
  EXPECT_EQ(c->dnsbl.sites[2].zone, "bl.example");
  EXPECT_EQ(c->dnsbl.threshold, 2.5);
  EXPECT_EQ(c->dnsbl.action, Action::kReject);
  EXPECT_EQ(c->dnsbl.temperror_action, Action::kTempfail);
  EXPECT_EQ(c->dnsbl.timeout, std::chrono::seconds(3));
  EXPECT_FALSE(c->dnsbl.reply_text);
}

TEST(DnsblConfigKeys, EmptyValueMeansNoLists) {
  auto c = loadWith("dnsbl_sites =\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->dnsbl.sites.empty());
}

TEST(DnsblConfigKeys, BadValuesNameTheirKey) {
  struct Case {
    const char* override_text;
    const char* key;
    const char* says;
  };
  const Case cases[] = {
      {"dnsbl_sites=zen.example=127.0.0.300", "dnsbl_sites", "'zen.example=127.0.0.300'"},
      {"dnsbl_sites=good.example,bad_zone", "dnsbl_sites", "'bad_zone'"},
      {"dnsbl_threshold=0", "dnsbl_threshold", "above 0"},
      {"dnsbl_threshold=-1", "dnsbl_threshold", "above 0"},
      {"dnsbl_threshold=many", "dnsbl_threshold", "not a number"},
      {"dnsbl_action=bounce", "dnsbl_action", "not an action"},
      {"dnsbl_temperror_action=reject", "dnsbl_temperror_action", "temporary"},
      {"dnsbl_temperror_action=quarantine", "dnsbl_temperror_action", "temporary"},
      {"dnsbl_timeout=0", "dnsbl_timeout", "above 0"},
      {"dnsbl_reply_text=maybe", "dnsbl_reply_text", "yes or no"},
  };
  for (const Case& c : cases) {
    auto loaded = loadWith("", {c.override_text});
    ASSERT_FALSE(loaded.ok()) << c.override_text;
    const std::string& message = loaded.error().message;
    EXPECT_NE(message.find(c.key), std::string::npos) << message;
    EXPECT_NE(message.find(c.says), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace ts
