// Policy discovery (RFC 7489 6.6.3): _dmarc.<From: domain> and, for a subdomain,
// _dmarc.<Organizational Domain> are asked at once, so a missing first record costs no
// second round trip at end of data; the first name's answer always takes precedence.
#include "checks/dmarc/dmarc_check.h"

#include <optional>
#include <utility>
#include <vector>

#include "checks/dmarc/dmarc_evaluation.h"
#include "checks/dmarc/dmarc_record.h"
#include "checks/dmarc/from_header.h"
#include "checks/dmarc/organizational_domain.h"
#include "checks/dns_queries.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;

// A DNS name has at most 253 characters; a From: domain longer than this less "_dmarc."
// cannot have a record.
constexpr std::size_t kMaxLookupDomain = 253 - 7;

struct PolicyLookup {
  std::string domain;  // the name under _dmarc.
  bool answered = false;
  DnsAnswer answer;

  std::vector<std::string> dmarcRecords() const {
    std::vector<std::string> out;
    if (answer.status != DnsStatus::kOk) return out;
    for (const std::string& txt : answer.records) {
      if (isDmarcRecord(txt)) out.push_back(txt);
    }
    return out;
  }
};

class DmarcRun final : public CheckRun {
 public:
  DmarcRun(const DmarcInput& input, std::string from_domain, const DmarcConfig& config,
           dns::Resolver& resolver, DmarcDone done)
      : queries_(resolver,
                 [this](std::size_t index, const DnsAnswer& answer) { onAnswer(index, answer); }),
        input_{std::string_view(), input.spf_domain, input.spf, input.dkim},
        from_domain_(std::move(from_domain)),
        config_(config),
        done_(std::move(done)) {}

  void begin() {
    lookups_.push_back({from_domain_, false, {}});
    std::string org = organizationalDomain(from_domain_);
    if (org != from_domain_) lookups_.push_back({org, false, {}});
    std::vector<DnsQueries::Lookup> sent;
    for (const PolicyLookup& l : lookups_) sent.push_back({"_dmarc." + l.domain, ns_t_txt});
    queries_.send(sent);
    maybeFinish();
  }

 private:
  void onAnswer(std::size_t index, const DnsAnswer& answer) {
    lookups_[index].answered = true;
    lookups_[index].answer = answer;
    maybeFinish();  // last: it may destroy this run
  }

  // Every path that may end the run ends here, and done is the very last thing it does.
  void maybeFinish() {
    if (finished_ || queries_.sending()) return;
    std::optional<DmarcVerdict> verdict = settled();
    if (!verdict) return;
    queries_.stop();  // the Organizational Domain's answer is not needed any more
    finished_ = true;
    DmarcDone done = std::move(done_);
    done(std::move(*verdict));
  }

  // The verdict once the answers in hand decide it (RFC 7489 6.6.3 steps 1-5).
  std::optional<DmarcVerdict> settled() const {
    for (const PolicyLookup& lookup : lookups_) {
      if (!lookup.answered) return std::nullopt;
      if (dns::isTemporary(lookup.answer.status)) {
        return tempErrorVerdict(from_domain_, lookup.domain, lookup.answer.status, config_);
      }
      std::vector<std::string> records = lookup.dmarcRecords();
      // Several records at one name mean no policy; the next name is not asked (step 5).
      if (records.size() > 1) {
        return withTtl(
            noPolicyVerdict(from_domain_, "several DMARC records at _dmarc." + lookup.domain),
            lookup);
      }
      if (records.size() == 1) return withTtl(evaluate(lookup, records.front()), lookup);
    }
    std::string why = "no DMARC record at _dmarc." + lookups_.front().domain;
    if (lookups_.size() > 1) why += " or _dmarc." + lookups_.back().domain;
    return withTtl(noPolicyVerdict(from_domain_, why), lookups_.back());
  }

  DmarcVerdict evaluate(const PolicyLookup& lookup, const std::string& txt) const {
    Result<DmarcRecord> record = parseDmarcRecord(txt, from_domain_);
    if (!record) {
      // RFC 7489 6.6.3 step 6: a record without a usable p= applies no DMARC.
      return noPolicyVerdict(from_domain_, "unusable DMARC record at _dmarc." + lookup.domain +
                                               " (" + record.error().message + ")");
    }
    FoundPolicy found{from_domain_, lookup.domain, *record};
    return evaluateDmarc(input_, found, config_, sampledForPolicy(record->pct));
  }

  static DmarcVerdict withTtl(DmarcVerdict v, const PolicyLookup& lookup) {
    v.result.ttl = lookup.answer.ttl;
    return v;
  }

  DnsQueries queries_;
  DmarcInput input_;  // without the message, which is only read before the run starts
  std::string from_domain_;
  DmarcConfig config_;  // a copy: a reload may replace the check while this run waits
  DmarcDone done_;
  std::vector<PolicyLookup> lookups_;  // [0] the From: domain, [1] its Organizational Domain
  bool finished_ = false;
};

}  // namespace

DmarcCheck::DmarcCheck(const DmarcConfig& config) : config_(config) {
  // Whatever reads files or sets process-wide state happens here, once, and not while
  // the first message waits: GMime's tables, libopendmarc's, the Public Suffix List.
  initFromHeaderParser();
  initDmarcRecordParser();
  loadPublicSuffixList();
}

DmarcCheck::~DmarcCheck() = default;

std::unique_ptr<CheckRun> DmarcCheck::start(const DmarcInput& input, dns::Resolver& resolver,
                                            DmarcDone done) const {
  Result<std::string> from = fromDomain(input.message);
  if (!from) {
    done(permErrorVerdict(from.error().message, config_));
    return std::make_unique<FinishedRun>();
  }
  if (from->size() > kMaxLookupDomain) {
    done(noPolicyVerdict(*from, "the From: domain is too long to have a _dmarc record"));
    return std::make_unique<FinishedRun>();
  }
  auto run =
      std::make_unique<DmarcRun>(input, std::move(*from), config_, resolver, std::move(done));
  run->begin();
  return run;
}

}  // namespace ts
