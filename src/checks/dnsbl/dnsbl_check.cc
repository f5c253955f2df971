// Asks every configured DNS list about the client at once and sums the weights of the
// sites whose return-code filter matches. An answer outside every filter of its zone is a
// list's error code (or a hijacking resolver): counted as an error, never as a listing.
#include "checks/dnsbl/dnsbl_check.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "dns/reverse_name.h"
#include "util/printable.h"

namespace ts {

struct DnsblCheck::Plan {
  struct Site {
    ReturnCodeFilter filter;
    double weight = 1;
  };
  struct Zone {
    std::string zone;
    std::vector<Site> sites;
    double positive = 0;  // the most this zone can add to the total
    double negative = 0;  // the most it can take away (an allow list)
  };
  std::vector<Zone> zones;  // in the order the zones were first configured
  double threshold = 1;
  bool reply_text = true;
};

namespace {

using Plan = DnsblCheck::Plan;

// A reply line has room for about 500 characters; the list's text is a hint (usually a
// URL), so the reason keeps its start. The log keeps more.
constexpr std::size_t kReasonTextMax = 200;
constexpr std::size_t kDetailTextMax = 1024;
// Naming every listing zone could overflow the reply line with many lists configured.
constexpr std::size_t kReasonZonesMax = 3;

std::optional<std::array<std::uint8_t, 4>> parseIpv4(const std::string& text) {
  std::array<std::uint8_t, 4> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) != 1) return std::nullopt;
  return bytes;
}

std::shared_ptr<const Plan> makePlan(const DnsblConfig& config) {
  auto plan = std::make_shared<Plan>();
  plan->threshold = config.threshold;
  plan->reply_text = config.reply_text;
  for (const DnsblSite& site : config.sites) {
    auto zone = std::find_if(plan->zones.begin(), plan->zones.end(),
                             [&](const Plan::Zone& z) { return z.zone == site.zone; });
    if (zone == plan->zones.end()) {
      plan->zones.push_back(Plan::Zone{site.zone, {}, 0, 0});
      zone = plan->zones.end() - 1;
    }
    zone->sites.push_back(Plan::Site{site.filter, site.weight});
    (site.weight > 0 ? zone->positive : zone->negative) += site.weight;
  }
  return plan;
}

// What one zone answered, as far as the verdict and the log need it.
struct ZoneAnswer {
  explicit ZoneAnswer(const Plan::Zone& z) : zone(z) {}

  const Plan::Zone& zone;
  bool a_pending = false;
  dns::QueryId a_id = dns::kNoQuery;
  bool txt_pending = false;
  dns::QueryId txt_id = dns::kNoQuery;

  dns::DnsStatus status = dns::DnsStatus::kError;
  std::chrono::seconds ttl{0};
  std::vector<std::pair<std::string, bool>> records;  // address, matched a filter
  bool listed = false;                                // some site's filter matched
  bool listed_positive = false;                       // ... a site with a positive weight
  double weight = 0;                                  // the listing sites' weights
  std::string txt;                                    // the TXT records, joined

  bool failed() const { return dns::isTemporary(status); }
};

// The range the total could take: the answered zones' sum, plus what the zones that could
// not be asked might have added or taken away.
struct Tally {
  double total = 0;
  double low = 0;
  double high = 0;
};

class DnsblRun final : public CheckRun {
 public:
  DnsblRun(std::shared_ptr<const Plan> plan, dns::Resolver& resolver, std::string reversed,
           std::string client, CheckDone done)
      : plan_(std::move(plan)),
        resolver_(resolver),
        reversed_(std::move(reversed)),
        client_(std::move(client)),
        done_(std::move(done)) {
    answers_.reserve(plan_->zones.size());
    for (const Plan::Zone& z : plan_->zones) answers_.emplace_back(z);
  }

  ~DnsblRun() override {
    for (ZoneAnswer& a : answers_) {
      if (a.a_pending) resolver_.cancel(a.a_id);
      if (a.txt_pending) resolver_.cancel(a.txt_id);
    }
  }

  // Answers may arrive inside query() (a cache hit); busy_ keeps done from running until
  // every query is sent and its id stored.
  void begin() {
    ++busy_;
    for (std::size_t i = 0; i < answers_.size(); ++i) {
      ZoneAnswer& a = answers_[i];
      a.a_pending = true;
      dns::QueryId id =
          resolver_.query(queryName(a), ns_t_a, [this, i](const dns::DnsAnswer& r) { onA(i, r); });
      if (a.a_pending) a.a_id = id;
    }
    --busy_;
    maybeFinish();
  }

 private:
  std::string queryName(const ZoneAnswer& a) const { return reversed_ + "." + a.zone.zone; }

  void onA(std::size_t i, const dns::DnsAnswer& answer) {
    ZoneAnswer& a = answers_[i];
    a.a_pending = false;
    a.status = answer.status;
    a.ttl = answer.ttl;
    if (answer.status == dns::DnsStatus::kOk) {
      std::vector<bool> counted(a.zone.sites.size(), false);
      for (const std::string& record : answer.records) {
        auto address = parseIpv4(record);
        bool matched = false;
        for (std::size_t s = 0; address && s < a.zone.sites.size(); ++s) {
          if (!a.zone.sites[s].filter.matches(*address)) continue;
          matched = true;
          counted[s] = true;
        }
        if (!matched) ++errors_;
        a.records.emplace_back(record, matched);
      }
      for (std::size_t s = 0; s < counted.size(); ++s) {
        if (!counted[s]) continue;
        a.listed = true;
        a.weight += a.zone.sites[s].weight;
        if (a.zone.sites[s].weight > 0) a.listed_positive = true;
      }
    }
    if (a.listed_positive && plan_->reply_text) queryText(i);
    maybeFinish();
  }

  // Asked as soon as a list names the client, beside the other lists' answers, so a
  // refusal waits for no extra round trip.
  void queryText(std::size_t i) {
    ZoneAnswer& a = answers_[i];
    ++busy_;
    a.txt_pending = true;
    dns::QueryId id = resolver_.query(queryName(a), ns_t_txt,
                                      [this, i](const dns::DnsAnswer& r) { onText(i, r); });
    if (answers_[i].txt_pending) answers_[i].txt_id = id;
    --busy_;
  }

  void onText(std::size_t i, const dns::DnsAnswer& answer) {
    ZoneAnswer& a = answers_[i];
    a.txt_pending = false;
    // A missing or failed TXT only leaves the hint out: the listing itself is known.
    if (answer.status == dns::DnsStatus::kOk) {
      for (const std::string& record : answer.records) {
        if (record.empty()) continue;
        if (!a.txt.empty()) a.txt.push_back(' ');
        a.txt += record;
      }
    }
    maybeFinish();
  }

  Tally tally() const {
    Tally t;
    double low = 0, high = 0;
    for (const ZoneAnswer& a : answers_) {
      if (a.failed()) {
        low += a.zone.negative;
        high += a.zone.positive;
      } else {
        t.total += a.weight;
      }
    }
    t.low = t.total + low;
    t.high = t.total + high;
    return t;
  }

  Outcome outcomeOf(const Tally& t) const {
    // A list that could not be asked may be the allow list that rescues the client, so a
    // refusal needs the total to hold even at its lowest (DESIGN.md invariant 3).
    if (t.low >= plan_->threshold) return Outcome::kFail;
    if (t.high >= plan_->threshold) return Outcome::kTempError;
    return Outcome::kPass;
  }

  // Every path that may end the run ends here, and done is the very last thing it does:
  // done may destroy this run.
  void maybeFinish() {
    if (finished_ || busy_ > 0) return;
    for (const ZoneAnswer& a : answers_) {
      if (a.a_pending) return;
    }
    Tally t = tally();
    Outcome outcome = outcomeOf(t);
    for (ZoneAnswer& a : answers_) {
      if (!a.txt_pending) continue;
      if (outcome == Outcome::kFail) return;  // the refusal waits for the list's text
      a.txt_pending = false;
      resolver_.cancel(a.txt_id);
    }
    finished_ = true;
    CheckDone done = std::move(done_);
    done(result(t, outcome));
  }

  CheckResult result(const Tally& t, Outcome outcome) const {
    CheckResult r;
    r.check = "dnsbl";
    r.outcome = outcome;
    r.errors = errors_;
    r.detail = detail(t);
    if (outcome == Outcome::kFail) {
      r.score = t.total;
      r.enhanced = "5.7.1";
      r.reason = listedReason(t);
    } else if (outcome == Outcome::kTempError) {
      r.enhanced = "4.4.3";
      r.reason = faultReason();
    }
    if (outcome != Outcome::kTempError) r.ttl = smallestTtl();
    return r;
  }

  std::string listedReason(const Tally& t) const {
    std::vector<std::string_view> zones;
    const ZoneAnswer* with_text = nullptr;
    for (const ZoneAnswer& a : answers_) {
      if (!a.listed_positive) continue;
      zones.push_back(a.zone.zone);
      if (with_text == nullptr && !a.txt.empty()) with_text = &a;
    }
    std::string named;
    for (std::size_t i = 0; i < zones.size() && i < kReasonZonesMax; ++i) {
      if (i > 0) named += i + 1 == zones.size() ? " and " : ", ";
      named += zones[i];
    }
    if (zones.size() > kReasonZonesMax) {
      named += fmt::format(" and {} more", zones.size() - kReasonZonesMax);
    }
    std::string reason = fmt::format(
        "Your address {} is listed by {} (score {:g} >= {:g}): get it delisted at the {} "
        "website{}, then retry",
        client_, named, t.total, plan_->threshold, zones.size() == 1 ? "list's" : "lists'",
        zones.size() == 1 ? "" : "s");
    if (with_text != nullptr) {
      reason += fmt::format(". {} says: \"{}\"", with_text->zone.zone,
                            printableAscii(with_text->txt, kReasonTextMax));
    }
    return reason;
  }

  std::string faultReason() const {
    std::vector<const ZoneAnswer*> failed;
    for (const ZoneAnswer& a : answers_) {
      if (a.failed()) failed.push_back(&a);
    }
    if (failed.size() == 1) {
      return fmt::format(
          "The DNS list {} could not be queried for your address {} ({}); try again later",
          failed[0]->zone.zone, client_, dns::toString(failed[0]->status));
    }
    std::string named;
    for (std::size_t i = 0; i < failed.size(); ++i) {
      if (i > 0) named += ", ";
      named += fmt::format("{} ({})", failed[i]->zone.zone, dns::toString(failed[i]->status));
    }
    return fmt::format("The DNS lists {} could not be queried for your address {}; try again later",
                       named, client_);
  }

  // "zen.example=127.0.0.2(+3) bl.example=nxdomain bad.example=127.255.255.254(error);
  // score 3 (zen.example +3), threshold 1; zen.example TXT "..."".
  std::string detail(const Tally& t) const {
    std::string out;
    std::string breakdown;
    for (const ZoneAnswer& a : answers_) {
      if (!out.empty()) out.push_back(' ');
      out += a.zone.zone;
      out.push_back('=');
      if (a.records.empty()) {
        out += a.status == dns::DnsStatus::kOk ? "nodata" : dns::toString(a.status);
        continue;
      }
      for (std::size_t i = 0; i < a.records.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += printableAscii(a.records[i].first, 64);
        if (!a.records[i].second) out += "(error)";
      }
      if (a.listed) {
        out += fmt::format("({:+g})", a.weight);
        if (!breakdown.empty()) breakdown += ", ";
        breakdown += fmt::format("{} {:+g}", a.zone.zone, a.weight);
      }
    }
    out += fmt::format("; score {:g}", t.total);
    if (!breakdown.empty()) out += " (" + breakdown + ")";
    out += fmt::format(", threshold {:g}", plan_->threshold);
    for (const ZoneAnswer& a : answers_) {
      if (a.txt.empty()) continue;
      out += fmt::format("; {} TXT \"{}\"", a.zone.zone, printableAscii(a.txt, kDetailTextMax));
    }
    return out;
  }

  std::chrono::seconds smallestTtl() const {
    std::optional<std::chrono::seconds> ttl;
    for (const ZoneAnswer& a : answers_) {
      if (!ttl || a.ttl < *ttl) ttl = a.ttl;
    }
    return ttl.value_or(std::chrono::seconds(0));
  }

  std::shared_ptr<const Plan> plan_;
  dns::Resolver& resolver_;
  std::string reversed_;
  std::string client_;
  CheckDone done_;
  std::vector<ZoneAnswer> answers_;  // one per zone; never resized once queries start
  unsigned errors_ = 0;
  int busy_ = 0;
  bool finished_ = false;
};

CheckResult passWithout(std::string detail) {
  CheckResult r;
  r.check = "dnsbl";
  r.outcome = Outcome::kPass;
  r.detail = std::move(detail);
  return r;
}

}  // namespace

DnsblCheck::DnsblCheck(const DnsblConfig& config) : config_(config), plan_(makePlan(config)) {}

std::unique_ptr<CheckRun> DnsblCheck::start(const ClientContext& context, dns::Resolver& resolver,
                                            CheckDone done) const {
  std::string reversed = dns::reversedAddress(context.peer);
  if (reversed.empty() || plan_->zones.empty()) {
    done(passWithout(reversed.empty() ? "no address" : "no lists"));
    return std::make_unique<FinishedRun>();
  }
  auto run = std::make_unique<DnsblRun>(plan_, resolver, std::move(reversed),
                                        context.peer.unmappedHost(), std::move(done));
  run->begin();
  return run;
}

}  // namespace ts
