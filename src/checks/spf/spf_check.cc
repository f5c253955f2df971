// The SPF run: evaluate with libspf2 over the answers fetched so far, fetch everything
// the evaluation missed in one batch, evaluate again from scratch, until an evaluation
// misses nothing. The reasons name the client and the domain and say which record the
// sender's admin must fix (RFC 7372: 5.7.23 for fail, 5.7.24 for a broken record).
#include "checks/spf/spf_check.h"

#include <fmt/format.h>

#include <string_view>
#include <utility>
#include <vector>

#include "checks/dns_queries.h"
#include "checks/spf/spf_dns_layer.h"
#include "checks/spf/spf_evaluator.h"
#include "util/domain_labels.h"
#include "util/printable.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using spf::LookupLimit;
using spf::SpfEvaluation;

// RFC 7208's limits bound an evaluation to a few rounds (about one per level of includes);
// this only stops a resolver that keeps answering something new.
constexpr int kMaxRounds = 30;
// A reply line has room for about 500 characters and the domain may appear twice.
constexpr std::size_t kReasonDomainMax = 100;
constexpr std::size_t kReasonWhatMax = 120;
constexpr std::size_t kDetailDomainMax = 253;
constexpr std::size_t kDetailCommentMax = 300;

constexpr const char* kTooManyTerms = "too many DNS lookups: more than 10";
constexpr const char* kTooManyVoid = "too many DNS lookups that found nothing: more than 2";

bool isDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// RFC 7208 4.3: a malformed or single-label domain gives none without a lookup. An
// address literal HELO ([192.0.2.1]) is no domain either.
bool isSpfDomain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  return domain.size() <= 253 && domain.find('.') != std::string_view::npos &&
         everyLabel(domain, isDomainLabel);
}

bool isSyntaxError(SPF_errcode_t code) {
  switch (code) {
    case SPF_E_SYNTAX:
    case SPF_E_MOD_W_PREF:
    case SPF_E_INVALID_CHAR:
    case SPF_E_UNKNOWN_MECH:
    case SPF_E_INVALID_OPT:
    case SPF_E_INVALID_CIDR:
    case SPF_E_MISSING_OPT:
    case SPF_E_INVALID_ESC:
    case SPF_E_INVALID_VAR:
    case SPF_E_BIG_SUBDOM:
    case SPF_E_INVALID_DELIM:
    case SPF_E_BIG_STRING:
    case SPF_E_BIG_MECH:
    case SPF_E_BIG_MOD:
    case SPF_E_INVALID_IP4:
    case SPF_E_INVALID_IP6:
    case SPF_E_INVALID_PREFIX:
      return true;
    default:
      return false;
  }
}

// libspf2 writes "Invalid IPv4 address literal near '...'"; inside a sentence it reads
// better in lower case, but "IPv4" must stay as it is.
std::string sentenceCase(std::string text) {
  if (text.size() > 1 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'a' && text[1] <= 'z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

Outcome outcomeOf(SPF_result_t result) {
  switch (result) {
    case SPF_RESULT_PASS:
      return Outcome::kPass;
    case SPF_RESULT_FAIL:
      return Outcome::kFail;
    case SPF_RESULT_SOFTFAIL:
      return Outcome::kSoftfail;
    case SPF_RESULT_NEUTRAL:
      return Outcome::kNeutral;
    case SPF_RESULT_NONE:
      return Outcome::kNone;
    case SPF_RESULT_TEMPERROR:
      return Outcome::kTempError;
    default:
      // PERMERROR, and INVALID: libspf2 leaves that when a record does not compile.
      return Outcome::kPermError;
  }
}

// What the run checks and for whom, as the reasons and the detail name it.
struct Subject {
  std::string domain;
  bool helo_scope = false;
  std::string client;  // "192.0.2.1"

  std::string_view scope() const { return helo_scope ? "helo" : "mailfrom"; }
};

struct Scores {
  double fail;
  double softfail;
  double permerror;
};

CheckResult baseResult(const Subject& subject, Outcome outcome) {
  CheckResult r;
  r.check = "spf";
  r.outcome = outcome;
  std::string d = printableAscii(subject.domain, kReasonDomainMax);
  switch (outcome) {
    case Outcome::kPass:
    case Outcome::kNeutral:
    case Outcome::kNone:
      r.reason = fmt::format("SPF {} for {}", outcomeName(outcome), d);
      break;
    case Outcome::kFail:
      r.enhanced = "5.7.23";
      r.reason =
          fmt::format("SPF fail: {} is not permitted to send for {}; add it to {}'s SPF record",
                      subject.client, d, d);
      break;
    case Outcome::kSoftfail:
      r.enhanced = "5.7.23";
      r.reason = fmt::format(
          "SPF softfail: {} is not authorised to send for {} (~all); add it to {}'s SPF record",
          subject.client, d, d);
      break;
    case Outcome::kPermError:
      r.enhanced = "5.7.24";
      break;
    case Outcome::kTempError:
      r.enhanced = "4.7.24";
      break;
  }
  return r;
}

void setPermError(CheckResult& r, const Subject& subject, std::string_view what) {
  r.reason = fmt::format("SPF permerror: {}'s SPF record is broken ({}); fix the record",
                         printableAscii(subject.domain, kReasonDomainMax),
                         printableAscii(what, kReasonWhatMax));
}

void setTempError(CheckResult& r, const Subject& subject, std::string_view why) {
  r.reason = fmt::format(
      "SPF temperror: {}'s SPF record could not be checked ({}); try again later",
      printableAscii(subject.domain, kReasonDomainMax), printableAscii(why, kReasonWhatMax));
}

std::string detailText(const Subject& subject, std::string_view comment, int lookups,
                       int void_lookups, int rounds) {
  return fmt::format("domain={} scope={} ({}) lookups={} void={} rounds={}",
                     printableAscii(subject.domain, kDetailDomainMax), subject.scope(),
                     printableAscii(comment, kDetailCommentMax), lookups, void_lookups, rounds);
}

// A result without evaluation: nothing SPF can check.
CheckResult noneResult(const Subject& subject, std::string_view why) {
  CheckResult r = baseResult(subject, Outcome::kNone);
  r.reason = fmt::format("SPF none: {}", why);
  r.detail = detailText(subject, why, 0, 0, 0);
  return r;
}

class SpfRun final : public CheckRun {
 public:
  SpfRun(dns::Resolver& resolver, spf::SpfQuery query, Subject subject, Scores scores,
         const std::string& receiver, CheckDone done)
      : query_(std::move(query)),
        subject_(std::move(subject)),
        scores_(scores),
        done_(std::move(done)),
        evaluator_(receiver),
        queries_(resolver,
                 [this](std::size_t index, const DnsAnswer& answer) { onAnswer(index, answer); }) {}

  void begin() { advance(); }

 private:
  // Evaluates until an evaluation needs the network or misses nothing. Answers that come
  // inside send() (cache hits) are only stored; the loop then goes on by itself.
  void advance() {
    advancing_ = true;
    while (true) {
      SpfEvaluation e = evaluator_.evaluate(query_);
      ++rounds_;
      std::vector<spf::DnsLookup> misses = evaluator_.layer().misses();
      if (misses.empty()) return finish(result(e));
      if (rounds_ == kMaxRounds) return finish(tooManyRounds());
      std::vector<DnsQueries::Lookup> lookups;
      for (spf::DnsLookup& m : misses) {
        lookups.push_back({m.name, m.type});
        sent_.push_back(std::move(m));  // index i of DnsQueries is sent_[i]
      }
      queries_.send(lookups);
      if (queries_.pending() > 0) break;
    }
    advancing_ = false;
  }

  void onAnswer(std::size_t index, const DnsAnswer& answer) {
    evaluator_.layer().addAnswer(sent_[index], answer);
    if (advancing_ || queries_.pending() > 0 || queries_.sending()) return;
    advance();  // last: it may finish, and the owner may destroy this run in done
  }

  // done is the very last thing the run does.
  void finish(CheckResult r) {
    queries_.stop();
    CheckDone done = std::move(done_);
    done(std::move(r));
  }

  CheckResult result(const SpfEvaluation& e) const {
    const spf::SpfDnsLayer& layer = evaluator_.layer();
    std::string comment = e.comment;
    Outcome outcome = outcomeOf(e.result);
    if (layer.limit() != LookupLimit::kNone) {
      outcome = Outcome::kPermError;
      comment = layer.limit() == LookupLimit::kTooManyTerms ? kTooManyTerms : kTooManyVoid;
    }
    CheckResult r = baseResult(subject_, outcome);
    if (outcome == Outcome::kPermError) {
      r.score = scores_.permerror;
      setPermError(r, subject_, layer.limit() != LookupLimit::kNone ? comment : brokenWhat(e));
    } else if (outcome == Outcome::kTempError) {
      std::string why = temporaryWhy(e);
      setTempError(r, subject_, why);
      comment += "; " + why;
    } else if (outcome == Outcome::kFail) {
      r.score = scores_.fail;
    } else if (outcome == Outcome::kSoftfail) {
      r.score = scores_.softfail;
    }
    if (outcome != Outcome::kTempError) r.ttl = layer.ttl();
    r.detail = detailText(subject_, comment, layer.terms(), layer.voidLookups(), rounds_);
    return r;
  }

  static std::string brokenWhat(const SpfEvaluation& e) {
    if (e.error == SPF_E_BIG_DNS) return kTooManyTerms;
    if (e.error_text.empty()) return sentenceCase(SPF_strerror(e.error));
    if (isSyntaxError(e.first_error)) return "syntax error: " + sentenceCase(e.error_text);
    return sentenceCase(e.error_text);
  }

  std::string temporaryWhy(const SpfEvaluation& e) const {
    const auto& fault = evaluator_.layer().temporaryFault();
    if (fault) {
      return fmt::format("DNS {} for {} {}", dns::toString(fault->status), fault->name,
                         dns::typeName(fault->type));
    }
    return sentenceCase(SPF_strerror(e.error));
  }

  CheckResult tooManyRounds() const {
    CheckResult r = baseResult(subject_, Outcome::kTempError);
    const char* why = "too many rounds of DNS lookups";
    setTempError(r, subject_, why);
    r.detail = detailText(subject_, why, evaluator_.layer().terms(),
                          evaluator_.layer().voidLookups(), rounds_);
    return r;
  }

  spf::SpfQuery query_;
  Subject subject_;
  Scores scores_;
  CheckDone done_;
  spf::SpfEvaluator evaluator_;
  std::vector<spf::DnsLookup> sent_;
  int rounds_ = 0;
  bool advancing_ = false;
  DnsQueries queries_;  // last member, so it is destroyed first and cancels what is open
};

}  // namespace

SpfCheck::SpfCheck(const SpfConfig& config) : config_(config) {}
SpfCheck::~SpfCheck() = default;

std::string SpfCheck::domainOf(const ClientContext& context) {
  std::size_t at = context.mail_from.rfind('@');
  return at == std::string::npos ? context.helo : context.mail_from.substr(at + 1);
}

std::unique_ptr<CheckRun> SpfCheck::start(const ClientContext& context, dns::Resolver& resolver,
                                          CheckDone done) const {
  Subject subject;
  subject.domain = domainOf(context);
  subject.helo_scope = context.mail_from.rfind('@') == std::string::npos;
  subject.client = context.peer.unmappedHost();
  std::string_view client = context.peer.unmappedBytes();

  std::string why;
  if (subject.domain.empty()) {
    why = subject.helo_scope ? "no HELO name to check" : "no sender domain to check";
  } else if (!isSpfDomain(subject.domain)) {
    why = fmt::format("{} is not a domain SPF can check",
                      printableAscii(subject.domain, kReasonDomainMax));
  } else if (client.size() != 4 && client.size() != 16) {
    why = "no client address";
  }
  if (!why.empty()) {
    done(noneResult(subject, why));
    return std::make_unique<FinishedRun>();
  }

  spf::SpfQuery query;
  query.client = std::string(client);
  query.mail_from = context.mail_from;
  query.helo = context.helo;
  query.helo_scope = subject.helo_scope;
  Scores scores{config_.fail_score, config_.softfail_score, config_.permerror_score};
  auto run = std::make_unique<SpfRun>(resolver, std::move(query), std::move(subject), scores,
                                      context.our_hostname, std::move(done));
  run->begin();
  return run;
}

}  // namespace ts
