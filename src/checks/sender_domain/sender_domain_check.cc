// MX, A and AAAA are asked at once: the MX answer decides alone (a mail server, or a
// null MX), and only a domain without MX falls back to its address records. A DNS fault
// refuses nobody: with nothing found it is a temperror.
#include "checks/sender_domain/sender_domain_check.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "checks/dns_queries.h"
#include "dns/mx_record.h"
#include "util/printable.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;

constexpr std::array<ns_type, 3> kTypes = {ns_t_mx, ns_t_a, ns_t_aaaa};
constexpr std::size_t kMx = 0;
constexpr std::size_t kDomainMax = 100;  // in a reply line

enum class MxKind { kUnknown, kMailServer, kNullMx, kNone };

MxKind mxKind(const DnsAnswer& answer) {
  if (answer.status != DnsStatus::kOk || answer.records.empty()) return MxKind::kNone;
  for (const std::string& record : answer.records) {
    auto mx = dns::parseMxRecord(record);
    if (mx && !mx->isNullMx()) return MxKind::kMailServer;
  }
  return MxKind::kNullMx;
}

class SenderDomainRun final : public CheckRun {
 public:
  SenderDomainRun(dns::Resolver& resolver, std::string address, std::string domain, double score,
                  CheckDone done)
      : queries_(resolver,
                 [this](std::size_t index, const DnsAnswer& answer) { onAnswer(index, answer); }),
        address_(std::move(address)),
        domain_(std::move(domain)),
        score_(score),
        done_(std::move(done)) {}

  void begin() {
    std::vector<DnsQueries::Lookup> lookups;
    for (ns_type type : kTypes) lookups.push_back({domain_, type});
    queries_.send(lookups);
    maybeFinish();
  }

 private:
  void onAnswer(std::size_t index, const DnsAnswer& answer) {
    statuses_[index] = answer.status;
    if (index == kMx) {
      mx_ = mxKind(answer);
    } else if (answer.status == DnsStatus::kOk && !answer.records.empty()) {
      has_address_ = true;
    }
    maybeFinish();  // last: it may destroy this run
  }

  bool decided() const {
    if (mx_ == MxKind::kMailServer || mx_ == MxKind::kNullMx) return true;
    return queries_.pending() == 0;
  }

  void maybeFinish() {
    if (finished_ || queries_.sending() || !decided()) return;
    queries_.stop();
    finished_ = true;
    CheckResult r = result();
    CheckDone done = std::move(done_);
    done(std::move(r));
  }

  CheckResult result() const {
    CheckResult r;
    r.check = "sender_domain";
    std::string domain = printableAscii(domain_, kDomainMax);
    std::string address = printableAscii(address_, kDomainMax);
    r.detail = fmt::format("domain={} mx={} a={} aaaa={}", domain, dns::toString(statuses_[0]),
                           dns::toString(statuses_[1]), dns::toString(statuses_[2]));
    if (mx_ == MxKind::kMailServer ||
        (mx_ == MxKind::kNone && has_address_ && !dns::isTemporary(statuses_[kMx]))) {
      r.outcome = Outcome::kPass;
      r.reason = fmt::format("{} can receive mail", domain);
      return r;
    }
    r.outcome = Outcome::kFail;
    r.score = score_;
    if (mx_ == MxKind::kNullMx) {
      r.enhanced = "5.7.27";  // RFC 7505 section 4.2
      r.reason = fmt::format(
          "Sender address <{}> has a null MX: {} accepts no mail, so nobody could reply or "
          "report a failure; send from an address that can receive mail",
          address, domain);
      return r;
    }
    bool temporary = false;
    for (DnsStatus s : statuses_) temporary = temporary || dns::isTemporary(s);
    if (temporary) {
      r.outcome = Outcome::kTempError;
      r.score = 0;
      r.enhanced = "4.4.3";
      r.reason = fmt::format("The sender domain {} could not be looked up in DNS; try again later",
                             domain);
      return r;
    }
    r.enhanced = "5.1.8";
    r.reason = statuses_[kMx] == DnsStatus::kNxDomain
                   ? fmt::format(
                         "Sender address <{}> is at {}, a domain that does not exist in DNS; "
                         "send from an address in a registered domain",
                         address, domain)
                   : fmt::format(
                         "Sender address <{}> cannot receive mail: {} has no MX, A or AAAA "
                         "record; publish an MX record for it",
                         address, domain);
    return r;
  }

  DnsQueries queries_;
  std::string address_;
  std::string domain_;
  double score_;
  CheckDone done_;
  std::array<DnsStatus, 3> statuses_{DnsStatus::kError, DnsStatus::kError, DnsStatus::kError};
  MxKind mx_ = MxKind::kUnknown;
  bool has_address_ = false;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<CheckRun> SenderDomainCheck::start(const ClientContext& context,
                                                   dns::Resolver& resolver, CheckDone done) const {
  std::size_t at = context.mail_from.rfind('@');
  if (at == std::string::npos || at + 1 == context.mail_from.size()) {
    CheckResult r;
    r.check = "sender_domain";
    r.outcome = Outcome::kPass;
    r.reason = "null sender: no domain to check";
    done(std::move(r));
    return std::make_unique<FinishedRun>();
  }
  auto run = std::make_unique<SenderDomainRun>(resolver, context.mail_from,
                                               context.mail_from.substr(at + 1), config_.score,
                                               std::move(done));
  run->begin();
  return run;
}

}  // namespace ts
