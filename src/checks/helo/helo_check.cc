// Every failure says what the sender's admin should configure instead: the fix is always
// the EHLO name in the sending MTA's configuration. A name that passes the syntax is asked
// for A, AAAA and MX at once, and the first record settles it.
#include "checks/helo/helo_check.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/dns_queries.h"
#include "dns/mx_record.h"
#include "util/ascii.h"
#include "util/domain_labels.h"

namespace ts {
namespace {

bool isLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  for (char c : label) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool isHostName(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.find('.') == std::string_view::npos) return false;
  return everyLabel(name, isLabel);
}

bool isBareAddress(std::string_view text) {
  std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// "[192.0.2.1]" or "[IPv6:2001:db8::1]" as the address bytes, or empty when malformed.
std::string literalBytes(std::string_view literal) {
  std::string inner(literal.substr(1, literal.size() - 2));
  unsigned char buf[16];
  if (asciiStartsWithIgnoreCase(inner, "IPv6:")) {
    if (inet_pton(AF_INET6, inner.c_str() + 5, buf) == 1)
      return std::string(reinterpret_cast<char*>(buf), 16);
    return {};
  }
  if (inet_pton(AF_INET, inner.c_str(), buf) == 1)
    return std::string(reinterpret_cast<char*>(buf), 4);
  return {};
}

}  // namespace

CheckResult HeloCheck::evaluate(const ClientContext& ctx) const {
  CheckResult r;
  r.check = "helo";
  r.outcome = Outcome::kFail;
  r.score = config_.score;
  r.enhanced = "5.7.1";
  std::string_view helo = ctx.helo;
  if (helo.size() >= 2 && helo.front() == '[' && helo.back() == ']') {
    std::string bytes = literalBytes(helo);
    if (bytes.empty()) {
      r.enhanced = "5.5.2";
      r.reason = fmt::format("HELO {} is not a valid address literal; send your host name", helo);
    } else if (bytes != ctx.peer.unmappedBytes()) {
      r.reason =
          fmt::format("HELO {} is not the address you connect from ({}); send your host name", helo,
                      ctx.peer.host());
    } else {
      r.outcome = Outcome::kPass;
      r.score = 0;
    }
    return r;
  }
  if (isBareAddress(helo)) {
    r.enhanced = "5.5.2";
    r.reason = fmt::format("HELO {} is an address without brackets; send your host name", helo);
    return r;
  }
  if (asciiEqualsIgnoreCase(helo, ctx.our_hostname)) {
    r.reason = fmt::format("HELO {} is this server's own name; send your own host name", helo);
    return r;
  }
  for (const std::string& d : ctx.our_domains) {
    if (asciiEqualsIgnoreCase(helo, d)) {
      r.reason = fmt::format("HELO {} is this gateway's domain; send your own host name", helo);
      return r;
    }
  }
  if (!isHostName(helo)) {
    r.enhanced = "5.5.2";
    r.reason = fmt::format(
        "HELO {} is not a fully qualified host name (RFC 1035); send your host's full name", helo);
    return r;
  }
  r.outcome = Outcome::kPass;
  r.score = 0;
  return r;
}

namespace {

using dns::DnsAnswer;
using dns::DnsStatus;

// Postfix's reject_unknown_helo_hostname accepts any of these; MX counts because some
// senders' HELO is a mail domain rather than a host.
constexpr std::array<ns_type, 3> kTypes = {ns_t_a, ns_t_aaaa, ns_t_mx};

// A null MX ("0 .", RFC 7505) says the domain takes no mail: it does not make the name a
// host that exists.
bool answerResolves(ns_type type, const DnsAnswer& answer) {
  if (answer.status != DnsStatus::kOk) return false;
  for (const std::string& record : answer.records) {
    if (type != ns_t_mx) return true;
    auto mx = dns::parseMxRecord(record);
    if (mx && !mx->isNullMx()) return true;
  }
  return false;
}

class HeloDnsRun final : public CheckRun {
 public:
  HeloDnsRun(dns::Resolver& resolver, std::string helo, double score, CheckDone done)
      : queries_(resolver,
                 [this](std::size_t index, const DnsAnswer& answer) { onAnswer(index, answer); }),
        helo_(std::move(helo)),
        score_(score),
        done_(std::move(done)) {}

  void begin() {
    std::vector<DnsQueries::Lookup> lookups;
    for (ns_type type : kTypes) lookups.push_back({helo_, type});
    queries_.send(lookups);
    maybeFinish();
  }

 private:
  struct TypeAnswer {
    DnsStatus status = DnsStatus::kError;
    bool null_mx = false;
    bool resolves = false;
  };

  void onAnswer(std::size_t index, const DnsAnswer& answer) {
    TypeAnswer& a = answers_[index];
    a.status = answer.status;
    a.resolves = answerResolves(kTypes[index], answer);
    a.null_mx = kTypes[index] == ns_t_mx && answer.status == DnsStatus::kOk && !a.resolves &&
                !answer.records.empty();
    if (a.resolves) queries_.stop();  // one record is enough
    maybeFinish();                    // last: it may destroy this run
  }

  bool anyResolves() const {
    for (const TypeAnswer& a : answers_) {
      if (a.resolves) return true;
    }
    return false;
  }

  // Every path that may end the run ends here, and done is the very last thing it does.
  void maybeFinish() {
    if (finished_ || queries_.sending()) return;
    if (!anyResolves() && queries_.pending() > 0) return;
    queries_.stop();
    finished_ = true;
    CheckResult r = result();
    CheckDone done = std::move(done_);
    done(std::move(r));
  }

  CheckResult result() const {
    CheckResult r;
    r.check = "helo";
    if (anyResolves()) {
      r.outcome = Outcome::kPass;
      std::string types;
      for (std::size_t i = 0; i < kTypes.size(); ++i) {
        if (!answers_[i].resolves) continue;
        if (!types.empty()) types += ", ";
        types += dns::typeName(kTypes[i]);
      }
      r.detail = fmt::format("resolves ({})", types);
      return r;
    }
    r.detail = answersText();
    for (const TypeAnswer& a : answers_) {
      if (!dns::isTemporary(a.status)) continue;
      r.outcome = Outcome::kTempError;
      r.enhanced = "4.7.1";
      r.reason = fmt::format("HELO name {} could not be resolved ({}); try again later", helo_,
                             dns::toString(a.status));
      return r;
    }
    r.outcome = Outcome::kFail;
    r.score = score_;
    r.enhanced = "5.7.1";
    r.reason = fmt::format(
        "HELO {} does not resolve (no A, AAAA or MX record): send a host name that exists in DNS",
        helo_);
    return r;
  }

  // "A=nxdomain AAAA=nxdomain MX=null"
  std::string answersText() const {
    std::string out;
    for (std::size_t i = 0; i < kTypes.size(); ++i) {
      const TypeAnswer& a = answers_[i];
      if (!out.empty()) out.push_back(' ');
      std::string_view what = a.null_mx                    ? "null"
                              : a.status == DnsStatus::kOk ? "nodata"
                                                           : dns::toString(a.status);
      out += fmt::format("{}={}", dns::typeName(kTypes[i]), what);
    }
    return out;
  }

  DnsQueries queries_;
  std::string helo_;  // passed the syntax check: safe to repeat in the reply
  double score_;
  CheckDone done_;
  std::array<TypeAnswer, kTypes.size()> answers_{};
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<CheckRun> HeloCheck::start(const ClientContext& context, dns::Resolver& resolver,
                                           CheckDone done) const {
  CheckResult syntax = evaluate(context);
  // An address literal is settled by syntax: it passed only by being the peer's address.
  if (syntax.outcome != Outcome::kPass || context.helo.starts_with('[')) {
    done(std::move(syntax));
    return std::make_unique<FinishedRun>();
  }
  auto run = std::make_unique<HeloDnsRun>(resolver, context.helo, config_.score, std::move(done));
  run->begin();
  return run;
}

}  // namespace ts
