// Alignment is judged with libpsl (organizational_domain.h), not libopendmarc, whose
// check_alignment drops one-letter labels and aligns only parent and child names, and whose
// store_dkim keeps one signature (a failing d= equal to From: can hide an aligned pass).
#include "checks/dmarc/dmarc_evaluation.h"

#include <fmt/format.h>

#include <random>
#include <utility>

#include "util/printable.h"

namespace ts {
namespace {

// Reason lines have room for about 500 characters and name up to three domains.
constexpr std::size_t kReasonDomainMax = 100;
constexpr std::size_t kDetailDomainMax = 255;
constexpr std::size_t kDetailSignaturesMax = 5;

std::string shown(std::string_view domain) {
  return printableAscii(domain, kReasonDomainMax);
}

std::string_view alignmentName(Alignment a) {
  return a == Alignment::kStrict ? "s" : "r";
}

DmarcVerdict verdictFor(std::string from_domain, Outcome outcome) {
  DmarcVerdict v;
  v.result.check = "dmarc";
  v.result.outcome = outcome;
  v.from_domain = std::move(from_domain);
  return v;
}

// RFC 7489 6.6.4: a message outside pct= gets the next milder policy.
DmarcPolicy milder(DmarcPolicy policy) {
  return policy == DmarcPolicy::kReject ? DmarcPolicy::kQuarantine : DmarcPolicy::kNone;
}

Action actionFor(DmarcPolicy policy, const DmarcConfig& config) {
  switch (policy) {
    case DmarcPolicy::kReject:
      return config.reject_action;
    case DmarcPolicy::kQuarantine:
      return config.quarantine_action;
    case DmarcPolicy::kNone:
      return config.none_action;
  }
  return config.none_action;
}

// "spf=fail(envelope.example, unaligned) dkim=pass(d=other.example, unaligned)"
std::string authenticationDetail(const DmarcInput& input, const FoundPolicy& found) {
  std::string out = fmt::format("spf={}", outcomeName(input.spf));
  if (!input.spf_domain.empty()) {
    bool ok = aligned(found.from_domain, input.spf_domain, found.record.aspf);
    out += fmt::format("({}, {})", printableAscii(input.spf_domain, kDetailDomainMax),
                       ok ? "aligned" : "unaligned");
  }
  if (input.dkim.empty()) return out + " dkim=none";
  for (std::size_t i = 0; i < input.dkim.size() && i < kDetailSignaturesMax; ++i) {
    const DkimSignature& s = input.dkim[i];
    bool ok = aligned(found.from_domain, s.domain, found.record.adkim);
    out += fmt::format(" dkim={}(d={}, {})", outcomeName(s.outcome),
                       printableAscii(s.domain, kDetailDomainMax), ok ? "aligned" : "unaligned");
  }
  if (input.dkim.size() > kDetailSignaturesMax) {
    out += fmt::format(" (+{} signatures)", input.dkim.size() - kDetailSignaturesMax);
  }
  return out;
}

std::string recordDetail(const FoundPolicy& found) {
  const DmarcRecord& r = found.record;
  std::string out = fmt::format(
      "from={} record=_dmarc.{} p={}", printableAscii(found.from_domain, kDetailDomainMax),
      printableAscii(found.record_domain, kDetailDomainMax), policyName(r.p));
  if (r.has_sp) out += fmt::format(" sp={}", policyName(r.sp));
  out +=
      fmt::format(" pct={} adkim={} aspf={}", r.pct, alignmentName(r.adkim), alignmentName(r.aspf));
  return out;
}

std::string failReason(const FoundPolicy& found, std::string_view tag, DmarcPolicy published) {
  std::string from = shown(found.from_domain);
  std::string publisher =
      found.record_domain == found.from_domain
          ? fmt::format("{} publishes {}={}", from, tag, policyName(published))
          : fmt::format("{} publishes {}={} for subdomains such as {}", shown(found.record_domain),
                        tag, policyName(published), from);
  return fmt::format(
      "DMARC fail: {} and this message passed neither SPF nor DKIM for an aligned domain; "
      "sign it with DKIM for {} or send it from servers in {}'s SPF record",
      publisher, from, from);
}

}  // namespace

bool sampledForPolicy(int pct) {
  if (pct >= 100) return true;
  if (pct <= 0) return false;
  // One generator per thread, seeded once: the draw needs to be fair, not secret.
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<int>(0, 99)(generator) < pct;
}

DmarcVerdict evaluateDmarc(const DmarcInput& input, const FoundPolicy& found,
                           const DmarcConfig& config, bool sampled) {
  const DmarcRecord& r = found.record;
  bool spf_aligned = input.spf == Outcome::kPass && !input.spf_domain.empty() &&
                     aligned(found.from_domain, input.spf_domain, r.aspf);
  const DkimSignature* dkim_aligned = nullptr;
  for (const DkimSignature& s : input.dkim) {
    if (s.outcome == Outcome::kPass && aligned(found.from_domain, s.domain, r.adkim)) {
      dkim_aligned = &s;
      break;
    }
  }
  std::string detail = recordDetail(found);
  // sp= speaks for the subdomains of the domain that published it (RFC 7489 6.3); a
  // record found at the From: domain itself is that domain's own p=.
  bool subdomain = found.record_domain != found.from_domain;
  std::string_view tag = subdomain && r.has_sp ? "sp" : "p";
  DmarcPolicy published = subdomain ? r.sp : r.p;
  if (spf_aligned || dkim_aligned) {
    DmarcVerdict v = verdictFor(found.from_domain, Outcome::kPass);
    // Nothing is applied to a pass; the published policy is kept for the
    // Authentication-Results comment, as receivers commonly show it.
    v.policy = std::string(policyName(published));
    v.result.reason = fmt::format("DMARC pass for {}", shown(found.from_domain));
    v.result.detail = fmt::format("{} {}", detail, authenticationDetail(input, found));
    return v;
  }
  bool within = r.pct >= 100 || (r.pct > 0 && sampled);
  DmarcPolicy applied = within ? published : milder(published);

  DmarcVerdict v = verdictFor(found.from_domain, Outcome::kFail);
  v.policy = std::string(policyName(applied));
  v.action = actionFor(applied, config);
  v.result.enhanced = "5.7.1";
  v.result.reason = failReason(found, tag, published);
  v.result.detail = fmt::format("{} applied={}{} {}", detail, policyName(applied),
                                within ? "" : " (outside pct)", authenticationDetail(input, found));
  return v;
}

DmarcVerdict noPolicyVerdict(std::string from_domain, std::string_view why) {
  DmarcVerdict v = verdictFor(std::move(from_domain), Outcome::kNone);
  v.result.reason = fmt::format("{} has no DMARC policy to apply", shown(v.from_domain));
  v.result.detail = fmt::format("from={} {}", printableAscii(v.from_domain, kDetailDomainMax), why);
  return v;
}

DmarcVerdict tempErrorVerdict(std::string from_domain, std::string_view looked_up,
                              dns::DnsStatus status, const DmarcConfig& config) {
  DmarcVerdict v = verdictFor(std::move(from_domain), Outcome::kTempError);
  v.action = config.temperror_action;
  // X.4.3 is what RFC 3463 names for an unreachable directory server (DNS), as the other
  // DNS checks here use it; the class follows the configured action (4xx only).
  v.result.enhanced = "4.4.3";
  v.result.reason = fmt::format("DMARC policy of {} could not be looked up ({}); try again later",
                                shown(v.from_domain), dns::toString(status));
  v.result.detail =
      fmt::format("from={} _dmarc.{}={}", printableAscii(v.from_domain, kDetailDomainMax),
                  printableAscii(looked_up, kDetailDomainMax), dns::toString(status));
  return v;
}

DmarcVerdict permErrorVerdict(std::string_view problem, const DmarcConfig& config) {
  DmarcVerdict v = verdictFor(std::string(), Outcome::kPermError);
  // A broken From: is the sender's software, not a domain's published policy, so it gets
  // the mildest policy's action (observe unless the operator chose otherwise).
  v.action = config.none_action;
  v.result.enhanced = "5.7.1";
  v.result.reason = std::string(problem);
  v.result.detail = "no single From: domain";
  return v;
}

}  // namespace ts
