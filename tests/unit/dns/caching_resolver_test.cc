// Unit tests of the cache decorator against a scripted resolver and a fake clock: hits,
// misses, expiry, negative caching, the size bound, in-flight sharing and cancel, and
// the lookup counters.
#include "dns/caching_resolver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fake_resolver.h"

namespace ts::dns {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;

DnsAnswer ok(std::vector<std::string> records, int ttl) {
  return DnsAnswer{DnsStatus::kOk, std::move(records), seconds(ttl)};
}
DnsAnswer status(DnsStatus s, int ttl = 0) {
  return DnsAnswer{s, {}, seconds(ttl)};
}

class CachingResolverTest : public ::testing::Test {
 protected:
  CachingResolver make(CacheSettings settings = {}) {
    return CachingResolver(upstream_, settings, [this] { return now_; });
  }
  // Runs one query; the answer (if it came) lands in last_.
  QueryId ask(CachingResolver& r, const std::string& name, ns_type type = ns_t_a) {
    return r.query(name, type, [this](const DnsAnswer& a) {
      last_ = a;
      ++callbacks_;
    });
  }

  testing::FakeResolver upstream_;
  steady_clock::time_point now_{seconds(1000)};
  std::optional<DnsAnswer> last_;
  int callbacks_ = 0;
};

// One row: what the upstream says, how long later we ask again, whether that is a hit.
struct ExpiryCase {
  const char* label;
  DnsAnswer upstream;
  CacheSettings settings;
  int later_seconds;
  bool hit;
  int remaining_ttl;  // when hit
};

// Names the row in test output; gtest would otherwise print the struct's bytes.
void PrintTo(const ExpiryCase& c, std::ostream* out) {
  *out << c.label;
}

class ExpiryTest : public CachingResolverTest, public ::testing::WithParamInterface<ExpiryCase> {};

TEST_P(ExpiryTest, HitOrMiss) {
  const ExpiryCase& c = GetParam();
  CachingResolver r(upstream_, c.settings, [this] { return now_; });
  ask(r, "h.example");
  ASSERT_TRUE(upstream_.answer("h.example", c.upstream));
  ASSERT_EQ(callbacks_, 1);
  now_ += seconds(c.later_seconds);
  ask(r, "H.Example.");
  if (c.hit) {
    EXPECT_EQ(upstream_.queries_sent, 1);
    ASSERT_EQ(callbacks_, 2);
    EXPECT_EQ(last_->status, c.upstream.status);
    EXPECT_EQ(last_->records, c.upstream.records);
    EXPECT_EQ(last_->ttl, seconds(c.remaining_ttl));
  } else {
    EXPECT_EQ(upstream_.queries_sent, 2);
    EXPECT_EQ(callbacks_, 1);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ExpiryTest,
    ::testing::Values(
        ExpiryCase{"hit_counts_down", ok({"192.0.2.1"}, 300), {}, 100, true, 200},
        ExpiryCase{"expired_is_miss", ok({"192.0.2.1"}, 300), {}, 300, false, 0},
        ExpiryCase{"nxdomain_cached", status(DnsStatus::kNxDomain, 60), {}, 59, true, 1},
        ExpiryCase{"nxdomain_expires", status(DnsStatus::kNxDomain, 60), {}, 61, false, 0},
        ExpiryCase{"nodata_cached", status(DnsStatus::kNoData, 60), {}, 10, true, 50},
        ExpiryCase{"servfail_not_cached", status(DnsStatus::kServFail), {}, 0, false, 0},
        ExpiryCase{"timeout_not_cached", status(DnsStatus::kTimeout), {}, 0, false, 0},
        ExpiryCase{"min_ttl_raises",
                   ok({"192.0.2.1"}, 0),
                   {100, seconds(30), seconds(3600)},
                   20,
                   true,
                   10},
        ExpiryCase{
            "max_ttl_caps", ok({"192.0.2.1"}, 86400), {100, seconds(0), seconds(60)}, 61, false, 0},
        ExpiryCase{"zero_ttl_not_cached", ok({"192.0.2.1"}, 0), {}, 0, false, 0}),
    [](const ::testing::TestParamInfo<ExpiryCase>& info) { return std::string(info.param.label); });

TEST_F(CachingResolverTest, TypesAreCachedApart) {
  auto r = make();
  ask(r, "h.example", ns_t_a);
  upstream_.answer("h.example", ok({"192.0.2.1"}, 300));
  ask(r, "h.example", ns_t_txt);
  EXPECT_EQ(upstream_.queries_sent, 2);
  EXPECT_EQ(callbacks_, 1);
}

TEST_F(CachingResolverTest, SizeBoundEvictsLeastRecentlyUsed) {
  auto r = make(CacheSettings{2, seconds(0), seconds(3600)});
  for (const char* name : {"a.example", "b.example"}) {
    ask(r, name);
    upstream_.answer(name, ok({"192.0.2.1"}, 300));
  }
  ask(r, "a.example");  // a is now the most recently used
  EXPECT_EQ(upstream_.queries_sent, 2);
  ask(r, "c.example");
  upstream_.answer("c.example", ok({"192.0.2.3"}, 300));
  EXPECT_EQ(r.list().size(), 2u);
  ask(r, "a.example");
  EXPECT_EQ(upstream_.queries_sent, 3);  // hit
  ask(r, "b.example");
  EXPECT_EQ(upstream_.queries_sent, 4);  // evicted
}

TEST_F(CachingResolverTest, InFlightQueriesShareOneUpstream) {
  auto r = make();
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    r.query("h.example", ns_t_a,
            [&got, i](const DnsAnswer& a) { got.push_back(std::to_string(i) + a.records.at(0)); });
  }
  EXPECT_EQ(upstream_.queries_sent, 1);
  EXPECT_EQ(r.inFlightCount(), 1u);
  upstream_.answer("h.example", ok({"x"}, 300));
  EXPECT_EQ(got, (std::vector<std::string>{"0x", "1x", "2x"}));
  EXPECT_EQ(r.inFlightCount(), 0u);
}

TEST_F(CachingResolverTest, LookupsAreCountedAsHitMissOrJoined) {
  auto r = make();
  ask(r, "h.example");  // miss: asked upstream
  ask(r, "h.example");  // joined the query in flight
  upstream_.answer("h.example", ok({"192.0.2.1"}, 300));
  ask(r, "h.example");             // hit
  ask(r, "h.example", ns_t_aaaa);  // another type: a miss of its own
  EXPECT_EQ(r.stats().hits, 1u);
  EXPECT_EQ(r.stats().misses, 2u);
  EXPECT_EQ(r.stats().joined, 1u);
  EXPECT_EQ(r.size(), 1u);
}

TEST_F(CachingResolverTest, CancelOneSharerKeepsTheOther) {
  auto r = make();
  int first = 0;
  QueryId a = r.query("h.example", ns_t_a, [&first](const DnsAnswer&) { ++first; });
  ask(r, "h.example");
  r.cancel(a);
  EXPECT_EQ(upstream_.cancelled, 0);
  upstream_.answer("h.example", ok({"192.0.2.1"}, 300));
  EXPECT_EQ(first, 0);
  EXPECT_EQ(callbacks_, 1);
}

TEST_F(CachingResolverTest, CancelLastSharerStillCachesTheAnswer) {
  auto r = make();
  QueryId a = ask(r, "h.example");
  QueryId b = ask(r, "h.example");
  r.cancel(a);
  r.cancel(b);
  r.cancel(b);  // twice is harmless
  EXPECT_EQ(upstream_.cancelled, 0);
  EXPECT_EQ(r.inFlightCount(), 1u);
  upstream_.answer("h.example", ok({"192.0.2.1"}, 300));
  EXPECT_EQ(callbacks_, 0);
  EXPECT_EQ(r.inFlightCount(), 0u);
  std::size_t asked = upstream_.openCount();
  ask(r, "h.example");
  EXPECT_EQ(callbacks_, 1);
  EXPECT_EQ(upstream_.openCount(), asked);
}

TEST_F(CachingResolverTest, CallbackMayCancelALaterSharer) {
  auto r = make();
  QueryId second = kNoQuery;
  r.query("h.example", ns_t_a, [&](const DnsAnswer&) { r.cancel(second); });
  second = ask(r, "h.example");
  upstream_.answer("h.example", ok({"192.0.2.1"}, 300));
  EXPECT_EQ(callbacks_, 0);
}

TEST_F(CachingResolverTest, ListAndClear) {
  auto r = make();
  ask(r, "h.example");
  upstream_.answer("h.example", ok({"192.0.2.1"}, 300));
  ask(r, "no.example", ns_t_txt);
  upstream_.answer("no.example", status(DnsStatus::kNxDomain, 60));
  now_ += seconds(10);
  auto entries = r.list();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "no.example");
  EXPECT_EQ(entries[0].type, ns_t_txt);
  EXPECT_EQ(entries[0].answer.status, DnsStatus::kNxDomain);
  EXPECT_EQ(entries[0].answer.ttl, seconds(50));
  EXPECT_EQ(entries[1].answer.ttl, seconds(290));
  r.clear();
  EXPECT_TRUE(r.list().empty());
  ask(r, "h.example");
  EXPECT_EQ(upstream_.queries_sent, 3);
}

TEST_F(CachingResolverTest, DestructorCancelsUpstream) {
  {
    auto r = make();
    ask(r, "h.example");
  }
  EXPECT_EQ(upstream_.cancelled, 1);
  EXPECT_EQ(callbacks_, 0);
}

}  // namespace
}  // namespace ts::dns
