// A temporary fault outranks fail and permerror because the key that did not arrive might
// have made the message pass: a fault must never become a refusal (DESIGN.md invariant 3).
// Of the rest, fail outranks permerror: a signature that checked and did not match says
// more than one that could not be checked.
#include "checks/dkim/dkim_verdict.h"

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <string_view>

#include "util/printable.h"

namespace ts {
namespace {

// A reply line has room for about 500 characters: names in the reason are cut short.
constexpr std::size_t kReasonNameMax = 80;

constexpr std::array kRanking = {Outcome::kTempError, Outcome::kFail, Outcome::kPermError,
                                 Outcome::kNeutral};

std::string whose(const DkimSignature& s) {
  if (s.domain.empty()) return "a signature without a domain (d=)";
  std::string out = "the signature of " + printableAscii(s.domain, kReasonNameMax);
  if (!s.selector.empty()) {
    out += fmt::format(" (selector {})", printableAscii(s.selector, kReasonNameMax));
  }
  return out;
}

std::string_view verb(Outcome o) {
  switch (o) {
    case Outcome::kTempError:
      return "could not be checked";
    case Outcome::kFail:
      return "does not verify";
    case Outcome::kPermError:
      return "cannot be used";
    default:
      return "is not counted";
  }
}

std::string_view enhancedFor(Outcome o) {
  switch (o) {
    case Outcome::kTempError:
      return "4.4.3";
    case Outcome::kFail:
      return "5.7.20";
    case Outcome::kPermError:
      return "5.7.21";
    default:
      return "";
  }
}

std::string passReason(const std::vector<SignatureFinding>& findings) {
  std::string out = "DKIM pass for";
  bool first = true;
  for (const SignatureFinding& f : findings) {
    const DkimSignature& s = f.signature;
    if (s.outcome != Outcome::kPass) continue;
    out += fmt::format("{} d={}", first ? "" : ",", printableAscii(s.domain, kReasonNameMax));
    if (s.body_length_limited) out += fmt::format(" ({})", s.reason);
    first = false;
  }
  return out;
}

std::string notPassReason(const SignatureFinding& decider, std::size_t signatures) {
  const DkimSignature& s = decider.signature;
  std::string out = fmt::format("DKIM {}: {} {} ({})", outcomeName(s.outcome), whose(s),
                                verb(s.outcome), s.reason);
  if (!decider.advice.empty()) out += ": " + decider.advice;
  if (signatures > 1) {
    std::size_t others = signatures - 1;
    out +=
        fmt::format("; {} other signature{} did not pass either", others, others == 1 ? "" : "s");
  }
  return out;
}

// "d=example.com s=s1 a=rsa-sha256 result=fail (body hash mismatch) l=120; d=..."
std::string detail(const std::vector<SignatureFinding>& findings) {
  std::string out;
  for (const SignatureFinding& f : findings) {
    const DkimSignature& s = f.signature;
    if (!out.empty()) out += "; ";
    out += fmt::format("d={} s={} a={} result={}", s.domain.empty() ? "-" : s.domain,
                       s.selector.empty() ? "-" : s.selector,
                       s.algorithm.empty() ? "-" : s.algorithm, outcomeName(s.outcome));
    if (s.outcome != Outcome::kPass && !s.reason.empty()) out += fmt::format(" ({})", s.reason);
    if (f.body_length >= 0) out += fmt::format(" l={}", f.body_length);
  }
  return out;
}

}  // namespace

CheckResult dkimResult(const std::vector<SignatureFinding>& findings, double fail_score) {
  CheckResult r;
  r.check = "dkim";
  r.ttl = std::chrono::seconds(0);
  r.detail = detail(findings);
  if (findings.empty()) {
    r.outcome = Outcome::kNone;
    r.reason = "The message has no DKIM signature";
    r.detail = "no signatures";
    return r;
  }
  for (const SignatureFinding& f : findings) {
    if (f.signature.outcome != Outcome::kPass) continue;
    r.outcome = Outcome::kPass;
    r.reason = passReason(findings);
    return r;
  }
  for (Outcome o : kRanking) {
    for (const SignatureFinding& f : findings) {
      if (f.signature.outcome != o) continue;
      r.outcome = o;
      r.enhanced = std::string(enhancedFor(o));
      r.reason = notPassReason(f, findings.size());
      if (o == Outcome::kFail) r.score = fail_score;
      return r;
    }
  }
  // Every finding has one of the outcomes above; a signature never stays unjudged.
  r.outcome = Outcome::kPermError;
  r.enhanced = std::string(enhancedFor(Outcome::kPermError));
  r.reason = "DKIM permerror: no signature could be judged";
  return r;
}

}  // namespace ts
