// The DNS list check driven by scripted resolvers: weights and filters, error codes that
// must never count, allow lists, DNS faults that can and cannot change the verdict, the
// list's TXT text, and the run's lifetime (answers before start returns, cancel on destroy).
#include "checks/dnsbl/dnsbl_check.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;
using dns::testing::FakeResolver;

DnsAnswer addresses(std::vector<std::string> records) {
  return DnsAnswer{DnsStatus::kOk, std::move(records), std::chrono::seconds(300)};
}
DnsAnswer status(DnsStatus s) {
  return DnsAnswer{s, {}, std::chrono::seconds(s == DnsStatus::kNxDomain ? 60 : 0)};
}

DnsblConfig configOf(const std::vector<std::string>& sites, double threshold = 1,
                     bool reply_text = false) {
  DnsblConfig config;
  for (const std::string& text : sites) {
    auto site = parseDnsblSite(text);
    EXPECT_TRUE(site.ok()) << text;
    if (site) config.sites.push_back(*site);
  }
  config.threshold = threshold;
  config.reply_text = reply_text;
  config.action = Action::kReject;
  return config;
}

ClientContext client(const char* peer = "192.0.2.1:40000") {
  return ClientContext{
      *SocketAddress::parse(peer), "mail.example.com", "mx.carrier.example", {"sms.example.net"}};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Forwards to another resolver and notes each query's name and type, so a test can see
// which TXT lookups were (not) sent.
class RecordingResolver final : public dns::Resolver {
 public:
  explicit RecordingResolver(dns::Resolver& inner) : inner_(inner) {}
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    sent.emplace_back(name, type);
    return inner_.query(name, type, std::move(cb));
  }
  void cancel(dns::QueryId id) override { inner_.cancel(id); }
  int count(ns_type type) const {
    int n = 0;
    for (const auto& s : sent) n += s.second == type ? 1 : 0;
    return n;
  }

  std::vector<std::pair<std::string, ns_type>> sent;

 private:
  dns::Resolver& inner_;
};

// Answers every query inside query(), as a cache hit does; unknown names are NXDOMAIN.
class SynchronousResolver final : public dns::Resolver {
 public:
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    ++queries;
    auto it = script.find({name, type});
    cb(it == script.end() ? status(DnsStatus::kNxDomain) : it->second);
    return next_id_++;
  }
  void cancel(dns::QueryId) override { ++cancels; }

  std::map<std::pair<std::string, ns_type>, DnsAnswer> script;
  int queries = 0;
  int cancels = 0;

 private:
  dns::QueryId next_id_ = 1;
};

class DnsblCheckTest : public ::testing::Test {
 protected:
  std::unique_ptr<CheckRun> start(const DnsblConfig& config, const ClientContext& ctx = client()) {
    check_.emplace(config);
    return check_->start(ctx, resolver_, [this](CheckResult r) { results_.push_back(r); });
  }
  const CheckResult& only() {
    EXPECT_EQ(results_.size(), 1u);
    if (results_.empty()) results_.emplace_back();
    return results_.front();
  }

  FakeResolver fake_;
  RecordingResolver resolver_{fake_};
  std::optional<DnsblCheck> check_;
  std::vector<CheckResult> results_;
};

TEST_F(DnsblCheckTest, ListedAtOrAboveThresholdFails) {
  auto run = start(configOf({"zen.example*3"}));
  EXPECT_TRUE(results_.empty());
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.check, "dnsbl");
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.score, 3);
  EXPECT_EQ(r.enhanced, "5.7.1");
  EXPECT_EQ(r.reason,
            "Your address 192.0.2.1 is listed by zen.example (score 3 >= 1): get it delisted "
            "at the list's website, then retry");
  EXPECT_TRUE(contains(r.detail, "zen.example=127.0.0.2(+3)")) << r.detail;
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(r.ttl, std::chrono::seconds(300));
  EXPECT_EQ(resolver_.sent,
            (std::vector<std::pair<std::string, ns_type>>{{"1.2.0.192.zen.example", ns_t_a}}));
}

TEST_F(DnsblCheckTest, ListedBelowThresholdPasses) {
  auto run = start(configOf({"zen.example*0.5", "bl.example*0.4"}));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2"})));
  EXPECT_TRUE(results_.empty());
  ASSERT_TRUE(fake_.answer("1.2.0.192.bl.example", status(DnsStatus::kNxDomain)));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.detail,
            "zen.example=127.0.0.2(+0.5) bl.example=nxdomain; score 0.5 (zen.example +0.5), "
            "threshold 1");
  EXPECT_EQ(r.ttl, std::chrono::seconds(60));
}

TEST_F(DnsblCheckTest, SitesOfOneZoneShareTheQueryAndCountOnce) {
  DnsblConfig config =
      configOf({"zen.example=127.0.0.[2..3]*2", "zen.example=127.0.0.[10..11]*1"}, 3);
  auto run = start(config);
  EXPECT_EQ(fake_.queries_sent, 1);
  // Two records in the first site's filter still count its weight once.
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2", "127.0.0.3"})));
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_TRUE(contains(only().detail, "score 2")) << only().detail;

  results_.clear();
  run = start(config);
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2", "127.0.0.10"})));
  EXPECT_EQ(only().outcome, Outcome::kFail);
  EXPECT_EQ(only().score, 3);
  EXPECT_TRUE(contains(only().detail, "zen.example=127.0.0.2,127.0.0.10(+3)")) << only().detail;
}

TEST_F(DnsblCheckTest, ErrorCodeNeverCountsAsListed) {
  auto run = start(configOf({"zen.example*5"}));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.255.255.254"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.errors, 1u);
  EXPECT_TRUE(contains(r.detail, "zen.example=127.255.255.254(error)")) << r.detail;
  EXPECT_TRUE(contains(r.detail, "score 0")) << r.detail;
}

TEST_F(DnsblCheckTest, AnswerOutsideTheFilterIsAnError) {
  // A hijacking resolver answers a "helpful" web address instead of NXDOMAIN; a filtered
  // site also refuses codes it was not configured for.
  auto run = start(configOf({"zen.example*5", "bl.example=127.0.0.2*5"}));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"198.51.100.7"})));
  ASSERT_TRUE(fake_.answer("1.2.0.192.bl.example", addresses({"127.0.0.3"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.errors, 2u);
  EXPECT_TRUE(contains(r.detail, "zen.example=198.51.100.7(error)")) << r.detail;
  EXPECT_TRUE(contains(r.detail, "bl.example=127.0.0.3(error)")) << r.detail;
}

TEST_F(DnsblCheckTest, AllowListRescues) {
  auto run = start(configOf({"bl.example*3", "wl.example=127.0.[0..255].[1..3]*-5"}));
  ASSERT_TRUE(fake_.answer("1.2.0.192.bl.example", addresses({"127.0.0.2"})));
  ASSERT_TRUE(fake_.answer("1.2.0.192.wl.example", addresses({"127.0.10.2"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.detail,
            "bl.example=127.0.0.2(+3) wl.example=127.0.10.2(-5); score -2 (bl.example +3, "
            "wl.example -5), threshold 1");
}

TEST_F(DnsblCheckTest, ServfailThatCouldListIsATemperror) {
  auto run = start(configOf({"bl.example*3", "other.example"}));
  ASSERT_TRUE(fake_.answer("1.2.0.192.bl.example", status(DnsStatus::kServFail)));
  ASSERT_TRUE(fake_.answer("1.2.0.192.other.example", status(DnsStatus::kNxDomain)));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kTempError);
  EXPECT_EQ(r.enhanced, "4.4.3");
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.ttl, std::chrono::seconds(0));
  EXPECT_EQ(r.reason,
            "The DNS list bl.example could not be queried for your address 192.0.2.1 "
            "(servfail); try again later");
  EXPECT_TRUE(contains(r.detail, "bl.example=servfail other.example=nxdomain")) << r.detail;
}

TEST_F(DnsblCheckTest, FailingAllowListMakesAListingATemperror) {
  // The allow list might have rescued the client: refusing would turn a DNS fault into a
  // rejection.
  auto run = start(configOf({"bl.example*3", "wl.example*-5"}));
  ASSERT_TRUE(fake_.answer("1.2.0.192.bl.example", addresses({"127.0.0.2"})));
  ASSERT_TRUE(fake_.answer("1.2.0.192.wl.example", status(DnsStatus::kTimeout)));
  EXPECT_EQ(only().outcome, Outcome::kTempError);
  EXPECT_TRUE(contains(only().reason, "wl.example")) << only().reason;
  EXPECT_TRUE(contains(only().reason, "(timeout)")) << only().reason;
}

TEST_F(DnsblCheckTest, FaultsThatCannotChangeTheVerdictAreIgnored) {
  struct Case {
    std::vector<std::string> sites;
    std::vector<std::pair<const char*, DnsAnswer>> answers;
    Outcome outcome;
  };
  const Case cases[] = {
      // Even listed, the failed list could not reach the threshold.
      {{"small.example*0.5", "other.example*0.2"},
       {{"small.example", status(DnsStatus::kServFail)},
        {"other.example", addresses({"127.0.0.2"})}},
       Outcome::kPass},
      // An allow list can only lower the total, and nothing lists the client.
      {{"wl.example*-5", "bl.example*3"},
       {{"wl.example", status(DnsStatus::kRefused)}, {"bl.example", status(DnsStatus::kNoData)}},
       Outcome::kPass},
      // Listed by enough others, whatever the failed block list says.
      {{"bl1.example*3", "bl2.example*2"},
       {{"bl1.example", addresses({"127.0.0.2"})}, {"bl2.example", status(DnsStatus::kError)}},
       Outcome::kFail},
  };
  for (const Case& c : cases) {
    results_.clear();
    auto run = start(configOf(c.sites));
    for (const auto& [zone, answer] : c.answers) {
      ASSERT_TRUE(fake_.answer(std::string("1.2.0.192.") + zone, answer)) << zone;
    }
    EXPECT_EQ(only().outcome, c.outcome) << c.sites[0] << ": " << only().detail;
  }
}

TEST_F(DnsblCheckTest, Ipv6ClientIsAskedByNibbles) {
  auto run = start(configOf({"zen.example"}), client("[2001:db8::1]:25"));
  ASSERT_EQ(resolver_.sent.size(), 1u);
  const std::string name =
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example";
  EXPECT_EQ(resolver_.sent[0].first, name);
  ASSERT_TRUE(fake_.answer(name, addresses({"127.0.0.2"})));
  EXPECT_EQ(only().outcome, Outcome::kFail);
  EXPECT_TRUE(contains(only().reason, "Your address 2001:db8::1 is listed")) << only().reason;
}

TEST_F(DnsblCheckTest, MappedClientIsAskedAsIpv4) {
  auto run = start(configOf({"zen.example"}), client("[::ffff:192.0.2.1]:25"));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2"})));
  EXPECT_EQ(only().outcome, Outcome::kFail);
  EXPECT_TRUE(contains(only().reason, "Your address 192.0.2.1 is listed")) << only().reason;
}

TEST_F(DnsblCheckTest, ClientWithoutAddressPasses) {
  ClientContext ctx;
  auto run = start(configOf({"zen.example"}), ctx);
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(only().detail, "no address");
  EXPECT_EQ(fake_.queries_sent, 0);
}

TEST_F(DnsblCheckTest, DestroyingTheRunCancelsOutstandingQueries) {
  auto run = start(configOf({"zen.example", "bl.example", "wl.example*-1"}, 1, true));
  // zen.example lists, so its TXT lookup is outstanding too.
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2"})));
  EXPECT_EQ(resolver_.count(ns_t_txt), 1);
  EXPECT_EQ(fake_.openCount(), 3u);
  run.reset();
  EXPECT_EQ(fake_.cancelled, 3);
  EXPECT_EQ(fake_.openCount(), 0u);
  EXPECT_TRUE(results_.empty());
}

TEST_F(DnsblCheckTest, DoneMayDestroyTheRun) {
  check_.emplace(configOf({"zen.example", "bl.example"}));
  std::unique_ptr<CheckRun> run;
  int calls = 0;
  run = check_->start(client(), resolver_, [&](CheckResult) {
    ++calls;
    run.reset();
  });
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", status(DnsStatus::kNxDomain)));
  ASSERT_TRUE(fake_.answer("1.2.0.192.bl.example", status(DnsStatus::kNxDomain)));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(run, nullptr);
  EXPECT_EQ(fake_.cancelled, 0);
}

TEST_F(DnsblCheckTest, ListTextIsQuotedSanitisedAndCut) {
  std::string text = "Listed\x01 see https://zen.example/lookup?ip=192.0.2.1 " +
                     std::string(300, 'x') + "\xc3\xa9";
  auto run = start(configOf({"zen.example*3"}, 1, true));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.4"})));
  EXPECT_TRUE(results_.empty()) << "waits for the list's text";
  EXPECT_EQ(resolver_.sent.back(),
            (std::pair<std::string, ns_type>{"1.2.0.192.zen.example", ns_t_txt}));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({text})));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kFail);
  std::string clean =
      "Listed? see https://zen.example/lookup?ip=192.0.2.1 " + std::string(300, 'x') + "??";
  EXPECT_TRUE(contains(r.reason, ". zen.example says: \"" + clean.substr(0, 200) + "...\""))
      << r.reason;
  EXPECT_FALSE(contains(r.reason, clean.substr(0, 201))) << r.reason;
  EXPECT_TRUE(contains(r.detail, "zen.example TXT \"" + clean + "\"")) << r.detail;
}

TEST_F(DnsblCheckTest, MissingListTextIsLeftOut) {
  auto run = start(configOf({"zen.example*3"}, 1, true));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2"})));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", status(DnsStatus::kServFail)));
  EXPECT_EQ(only().outcome, Outcome::kFail);
  EXPECT_FALSE(contains(only().reason, "says")) << only().reason;
}

TEST_F(DnsblCheckTest, NoListTextWhenReplyTextIsOff) {
  auto run = start(configOf({"zen.example*3"}, 1, false));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2"})));
  EXPECT_EQ(only().outcome, Outcome::kFail);
  EXPECT_EQ(resolver_.count(ns_t_txt), 0);
}

TEST_F(DnsblCheckTest, NoListTextForAllowLists) {
  auto run = start(configOf({"wl.example*-5"}, 1, true));
  ASSERT_TRUE(fake_.answer("1.2.0.192.wl.example", addresses({"127.0.0.2"})));
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(resolver_.count(ns_t_txt), 0);
}

TEST_F(DnsblCheckTest, PassDoesNotWaitForListText) {
  auto run = start(configOf({"zen.example*0.5", "wl.example*-5"}, 1, true));
  ASSERT_TRUE(fake_.answer("1.2.0.192.zen.example", addresses({"127.0.0.2"})));
  ASSERT_TRUE(fake_.answer("1.2.0.192.wl.example", status(DnsStatus::kNxDomain)));
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(fake_.cancelled, 1) << "the TXT lookup is dropped";
  EXPECT_EQ(fake_.openCount(), 0u);
}

TEST(DnsblCheckSynchronous, AnswersBeforeStartReturns) {
  SynchronousResolver resolver;
  resolver.script[{"1.2.0.192.zen.example", ns_t_a}] = addresses({"127.0.0.2"});
  resolver.script[{"1.2.0.192.zen.example", ns_t_txt}] = addresses({"see https://zen.example"});
  resolver.script[{"1.2.0.192.bl.example", ns_t_a}] = addresses({"127.255.255.254"});
  DnsblCheck check(configOf({"zen.example*2", "bl.example", "wl.example*-1"}, 1, true));
  std::vector<CheckResult> results;
  auto run = check.start(client(), resolver, [&](CheckResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(resolver.queries, 4);
  EXPECT_EQ(results[0].outcome, Outcome::kFail);
  EXPECT_EQ(results[0].score, 2);
  EXPECT_EQ(results[0].errors, 1u);
  EXPECT_TRUE(contains(results[0].reason, "zen.example says: \"see https://zen.example\""))
      << results[0].reason;
  EXPECT_EQ(results[0].detail,
            "zen.example=127.0.0.2(+2) bl.example=127.255.255.254(error) wl.example=nxdomain; "
            "score 2 (zen.example +2), threshold 1; zen.example TXT \"see https://zen.example\"");
  run.reset();
  EXPECT_EQ(resolver.cancels, 0) << "nothing was outstanding";
  EXPECT_EQ(results.size(), 1u);
}

TEST(DnsblCheckSynchronous, SeveralListingZonesAreNamed) {
  SynchronousResolver resolver;
  for (const char* zone : {"a.example", "b.example", "c.example", "d.example"}) {
    resolver.script[{std::string("1.2.0.192.") + zone, ns_t_a}] = addresses({"127.0.0.2"});
  }
  DnsblCheck check(configOf({"a.example", "b.example", "c.example", "d.example"}));
  std::vector<CheckResult> results;
  auto run = check.start(client(), resolver, [&](CheckResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].reason,
            "Your address 192.0.2.1 is listed by a.example, b.example, c.example and 1 more "
            "(score 4 >= 1): get it delisted at the lists' websites, then retry");
}

}  // namespace
}  // namespace ts
