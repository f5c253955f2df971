// The callout as Exim and Postfix do it: MX (or the implicit MX, RFC 5321 5.1), the best
// host's address, then one dialog asking RCPT for a random address first and the sender
// second. The random one tells an accept-all server apart, whose "250" for the sender
// proves nothing. Only a 5xx for the sender refuses it; every fault on the way is
// temporary and never cached, so a broken server can delay mail but never bounce it.
#include "checks/callout/callout_check.h"

#include <arpa/inet.h>
#include <openssl/rand.h>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "checks/dns_queries.h"
#include "dns/mx_record.h"
#include "util/ascii.h"
#include "util/domain_labels.h"
#include "util/printable.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;

constexpr const char* kCheck = "callout";
constexpr std::size_t kReasonTextMax = 100;  // the server's words in a reply line
constexpr std::size_t kStoredTextMax = 200;  // and in the cache and the log
constexpr std::size_t kNameMax = 100;
// Hosts whose address is asked, best MX first: enough to step over a stale MX record,
// few enough that a domain listing fifty cannot make us send fifty queries.
constexpr std::size_t kMaxMxHosts = 3;

std::int64_t unixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool isHostLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool isHostName(std::string_view name) {
  return !name.empty() && name.size() <= 253 && everyLabel(name, isHostLabel);
}

// What goes on the wire inside RCPT TO:<...>: printable ASCII without spaces or angle
// brackets. Anything else (an SMTPUTF8 address, a quoted local part with spaces) is not
// verified rather than sent in a form the server might read differently.
bool isWireSafe(std::string_view address) {
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == '<' || c == '>') return false;
  }
  return true;
}

struct MxList {
  std::vector<std::string> hosts;  // best preference first
  bool null_mx = false;            // only "0 ." (RFC 7505)
};

MxList mxHosts(const DnsAnswer& answer) {
  MxList out;
  if (answer.status != DnsStatus::kOk) return out;
  std::vector<std::pair<unsigned, std::string>> parsed;
  bool root = false;
  for (const std::string& record : answer.records) {
    auto mx = dns::parseMxRecord(record);
    if (!mx) continue;
    if (mx->isNullMx()) {
      root = true;  // "." among real hosts is a misconfiguration: the real ones count
      continue;
    }
    if (isHostName(mx->host)) parsed.emplace_back(mx->preference, std::move(mx->host));
  }
  std::stable_sort(parsed.begin(), parsed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [preference, host] : parsed) out.hosts.push_back(std::move(host));
  out.null_mx = out.hosts.empty() && root;
  return out;
}

// The first address of the answer a probe may go to: never "this network" (0/8) and
// never multicast, reserved or broadcast (224/3), where a connect means nothing.
// Loopback and private addresses are allowed: test setups and internal relays use them.
std::optional<SocketAddress> usableAddress(const std::vector<std::string>& records,
                                           std::uint16_t port) {
  for (const std::string& text : records) {
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1) continue;
    auto first = static_cast<unsigned>(ntohl(a.s_addr) >> 24);
    if (first == 0 || first >= 224) continue;
    auto parsed = SocketAddress::parse(text + ":" + std::to_string(port));
    if (parsed) return *parsed;
  }
  return std::nullopt;
}

// 64 random bits: a local part nobody has, so only a server that accepts everything
// accepts it.
std::optional<std::string> randomLocalPart() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "ts-probe-";
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::string replyText(const SmtpReply& reply, std::size_t max) {
  return printableAscii(fmt::format("{} {}", reply.code, reply.text), max);
}

struct Sender {
  std::string address;  // as given in MAIL FROM
  std::string domain;   // lower case
  std::string shown;    // printable, for reasons and details
};

// The verdict for a finding that may be cached: the same text whether it was just probed
// or read back from the cache.
CheckResult findingResult(const CalloutCacheEntry& e, const Sender& s,
                          const CalloutConfig& config) {
  CheckResult r;
  r.check = kCheck;
  std::string host = printableAscii(e.host, kNameMax);
  std::string domain = printableAscii(s.domain, kNameMax);
  std::string said = printableAscii(e.reply, kReasonTextMax);
  std::string where = e.host.empty() ? std::string() : fmt::format(" mx={}", host);
  std::string reply = e.reply.empty() ? std::string() : fmt::format(" reply={}", e.reply);
  switch (e.finding) {
    case CalloutFinding::kVerified:
      r.outcome = Outcome::kPass;
      r.ttl = config.positive_ttl;
      r.reason =
          fmt::format("Sender address <{}> is accepted by its mail server {}", s.shown, host);
      r.detail = fmt::format("verified;{}{}", where, reply);
      return r;
    case CalloutFinding::kAcceptAll:
      r.outcome = Outcome::kPass;
      r.ttl = config.positive_ttl;
      r.reason = fmt::format(
          "Sender address <{}> could not be verified: its mail server {} accepts any address",
          s.shown, host);
      r.detail = fmt::format("accept-all server: not verifiable;{}{}", where, reply);
      return r;
    case CalloutFinding::kRejected:
      r.outcome = Outcome::kFail;
      r.score = config.score;
      r.ttl = config.negative_ttl;
      r.enhanced = "5.1.7";  // RFC 3463: bad sender's mailbox address
      r.reason = fmt::format(
          "Sender address <{}> is rejected by its own domain's mail server ({}): use a sender "
          "address that can receive replies",
          s.shown, said);
      r.detail = fmt::format("rejected;{}{}", where, reply);
      return r;
    case CalloutFinding::kNullMx:
      r.outcome = Outcome::kFail;
      r.score = config.score;
      r.ttl = config.negative_ttl;
      r.enhanced = "5.7.27";  // RFC 7505 section 4.2
      r.reason = fmt::format(
          "Sender address <{}> is at {}, which does not accept mail (null MX): use a sender "
          "address that can receive replies",
          s.shown, domain);
      r.detail = "null MX";
      return r;
    case CalloutFinding::kNoDomain:
      r.outcome = Outcome::kFail;
      r.score = config.score;
      r.ttl = config.negative_ttl;
      r.enhanced = "5.1.8";  // RFC 3463: bad sender's system address
      r.reason = fmt::format(
          "Sender address <{}> is at {}, a domain that does not exist in DNS: use a sender "
          "address that can receive replies",
          s.shown, domain);
      r.detail = "mx nxdomain";
      return r;
    case CalloutFinding::kUnverifiable:
      r.outcome = Outcome::kNeutral;
      r.ttl = config.negative_ttl;
      r.reason = fmt::format(
          "Sender address <{}> could not be verified: its mail server {} refused our check ({})",
          s.shown, host, said);
      r.detail = fmt::format("probe refused;{}{}", where, reply);
      return r;
  }
  return r;
}

CheckResult neutral(const Sender& s, std::string_view why, std::string detail) {
  CheckResult r;
  r.check = kCheck;
  r.outcome = Outcome::kNeutral;
  r.reason = fmt::format("Sender address <{}> was not verified: {}", s.shown, why);
  r.detail = std::move(detail);
  return r;
}

CheckResult tempError(const Sender& s, std::string_view enhanced, std::string_view why,
                      std::string detail) {
  CheckResult r;
  r.check = kCheck;
  r.outcome = Outcome::kTempError;
  r.enhanced = std::string(enhanced);
  r.reason =
      fmt::format("Sender address <{}> could not be verified{}; try again later", s.shown, why);
  r.detail = std::move(detail);
  return r;
}

std::string_view faultWords(ProbeFault fault) {
  switch (fault) {
    case ProbeFault::kConnectFailed:
      return "could not be reached";
    case ProbeFault::kTimeout:
      return "did not answer";
    case ProbeFault::kClosed:
      return "closed the connection";
    case ProbeFault::kProtocol:
      return "broke the SMTP protocol";
    case ProbeFault::kNone:
      break;
  }
  return "did not answer";
}

class CalloutRun final : public CheckRun {
 public:
  CalloutRun(const CalloutConfig& config, CalloutServices& services, dns::Resolver& resolver,
             Sender sender, std::string helo_name, CheckDone done)
      : config_(config),
        services_(services),
        queries_(resolver,
                 [this](std::size_t index, const DnsAnswer& answer) { onAnswer(index, answer); }),
        sender_(std::move(sender)),
        helo_name_(std::move(helo_name)),
        done_(std::move(done)) {}

  void begin() {
    queries_.send({{sender_.domain, ns_t_mx}});
    maybeFinish();
  }

 private:
  // Index 0 is the MX lookup; each later index is one host's address lookup, in order.
  void onAnswer(std::size_t index, const DnsAnswer& answer) {
    if (index == 0) {
      onMx(answer);
    } else {
      onAddress(answer);
    }
    maybeFinish();  // last: it may destroy this run
  }

  void onMx(const DnsAnswer& answer) {
    if (dns::isTemporary(answer.status)) {
      decide(dnsFault(sender_.domain, "MX", answer.status));
      return;
    }
    if (answer.status == DnsStatus::kNxDomain) {
      decideFinding(CalloutFinding::kNoDomain, {}, {});
      return;
    }
    MxList mx = mxHosts(answer);
    if (mx.null_mx) {
      decideFinding(CalloutFinding::kNullMx, {}, {});
      return;
    }
    if (mx.hosts.empty()) {
      hosts_.push_back(sender_.domain);  // RFC 5321 5.1: the domain is its own implicit MX
      implicit_mx_ = true;
    } else {
      mx.hosts.resize(std::min(mx.hosts.size(), kMaxMxHosts));
      hosts_ = std::move(mx.hosts);
    }
    queries_.send({{hosts_[0], ns_t_a}});
  }

  void onAddress(const DnsAnswer& answer) {
    const std::string& host = hosts_[host_index_];
    if (dns::isTemporary(answer.status)) {
      decide(dnsFault(host, "A", answer.status));
      return;
    }
    if (auto server = usableAddress(answer.records, config_.port)) {
      startProbe(*server);
      return;
    }
    if (++host_index_ < hosts_.size()) {
      queries_.send({{hosts_[host_index_], ns_t_a}});
      return;
    }
    // An IPv6-only mail server is real; without an IPv4 address we cannot ask it, which
    // says nothing against the sender.
    std::string named = printableAscii(hosts_.front(), kNameMax);
    decide(neutral(sender_,
                   implicit_mx_ ? fmt::format("{} has no MX and no IPv4 address to ask", named)
                                : fmt::format("its mail server {} has no IPv4 address", named),
                   fmt::format("{}mx={} a={}", implicit_mx_ ? "implicit " : "", named,
                               dns::toString(answer.status))));
  }

  void startProbe(const SocketAddress& server) {
    server_ = server.host();
    auto got =
        services_.limiter.acquire(sender_.domain, services_.clock(), config_.per_domain_concurrency,
                                  config_.per_domain_per_minute);
    if (auto* refusal = std::get_if<CalloutLimiter::Refusal>(&got)) {
      bool busy = *refusal == CalloutLimiter::Refusal::kConcurrency;
      decide(tempError(
          sender_, "4.1.7",
          fmt::format(": too many verifications for {} right now",
                      printableAscii(sender_.domain, kNameMax)),
          fmt::format("limited: {} for {}; no probe", busy ? "concurrency" : "rate per minute",
                      printableAscii(sender_.domain, kNameMax))));
      return;
    }
    ticket_ = std::move(std::get<CalloutLimiter::Ticket>(got));
    auto local = randomLocalPart();
    if (!local) {
      decide(tempError(sender_, "4.1.7", " (no random source for the probe)", "RAND_bytes failed"));
      return;
    }
    ProbeRequest request;
    request.server = server;
    request.helo_name = helo_name_;
    request.recipients = {*local + "@" + sender_.domain, sender_.address};
    // The screening's deadline covers the DNS lookups too; these keep a probe bounded
    // even for a caller without one.
    request.wait_timeout = config_.timeout;
    request.total_timeout = config_.timeout;
    probe_ = services_.prober.probe(request, [this](ProbeReport report) { onProbe(report); });
  }

  void onProbe(const ProbeReport& report) {
    judge(report);
    maybeFinish();  // last: it may destroy this run
  }

  // RCPT answers are read first: they are complete even when the QUIT after them broke.
  void judge(const ProbeReport& report) {
    std::string host = printableAscii(hosts_[host_index_], kNameMax);
    if (!report.rcpt.empty()) {
      const SmtpReply& random = report.rcpt[0];
      if (!random.positive() && !random.permanent()) {
        decide(answeredTemporarily(host, random, "random recipient"));
        return;
      }
      if (report.rcpt.size() >= 2) {
        const SmtpReply& sender = report.rcpt[1];
        std::string said = replyText(sender, kStoredTextMax);
        if (sender.permanent()) {
          decideFinding(CalloutFinding::kRejected, hosts_[host_index_], said);
        } else if (sender.positive()) {
          decideFinding(random.positive() ? CalloutFinding::kAcceptAll : CalloutFinding::kVerified,
                        hosts_[host_index_], said);
        } else {
          decide(answeredTemporarily(host, sender, "sender"));
        }
        return;
      }
    }
    if (report.fault != ProbeFault::kNone) {
      decide(tempError(sender_, "4.1.7",
                       fmt::format(" (its mail server {} {})", host, faultWords(report.fault)),
                       fmt::format("mx={} ip={} fault={} at {}: {}", host, server_,
                                   probeFaultName(report.fault), probeStageName(report.stage),
                                   printableAscii(report.fault_detail, kNameMax))));
      return;
    }
    // The dialog ended before RCPT: the server refused the probe itself.
    const SmtpReply* refusal = &report.greeting;
    if (report.greeting.code == 220) refusal = &report.hello;
    if (report.greeting.code == 220 && report.hello.positive()) refusal = &report.mail;
    if (refusal->permanent()) {
      decideFinding(CalloutFinding::kUnverifiable, hosts_[host_index_],
                    replyText(*refusal, kStoredTextMax));
      return;
    }
    decide(answeredTemporarily(host, *refusal, probeStageName(report.stage)));
  }

  CheckResult answeredTemporarily(const std::string& host, const SmtpReply& reply,
                                  std::string_view to) const {
    return tempError(
        sender_, "4.1.7",
        fmt::format(" (its mail server {} answered {})", host, replyText(reply, kReasonTextMax)),
        fmt::format("mx={} ip={} temporary reply to {}: {}", host, server_, to,
                    replyText(reply, kStoredTextMax)));
  }

  CheckResult dnsFault(const std::string& name, std::string_view type, DnsStatus status) const {
    std::string named = printableAscii(name, kNameMax);
    return tempError(sender_, "4.4.3",
                     fmt::format(" (the {} record of {} could not be looked up: {})", type, named,
                                 dns::toString(status)),
                     fmt::format("{} {} {}", type, named, dns::toString(status)));
  }

  void decideFinding(CalloutFinding finding, std::string host, std::string reply) {
    CalloutCacheEntry entry;
    entry.finding = finding;
    entry.host = std::move(host);
    entry.reply = std::move(reply);
    entry.checked = unixSeconds(services_.clock());
    CheckResult r = findingResult(entry, sender_, config_);
    if (!server_.empty()) r.detail += fmt::format(" ip={}", server_);
    if (r.ttl.count() > 0) {
      cache_entry_ = std::move(entry);
      cache_ttl_ = r.ttl;
    }
    decide(std::move(r));
  }

  void decide(CheckResult r) {
    if (!result_) result_ = std::move(r);
  }

  // Every path that may end the run ends here, and done is the very last thing it does.
  void maybeFinish() {
    if (finished_ || queries_.sending() || !result_) return;
    finished_ = true;
    queries_.stop();
    probe_.reset();  // allowed from inside its own done (smtp_prober.h)
    ticket_.release();
    if (cache_entry_) services_.cache.put(sender_.address, *cache_entry_, cache_ttl_);
    CheckResult r = std::move(*result_);
    CheckDone done = std::move(done_);
    done(std::move(r));
  }

  CalloutConfig config_;  // a copy: a run may outlive a reloaded Runtime's check
  CalloutServices& services_;
  DnsQueries queries_;
  Sender sender_;
  std::string helo_name_;
  CheckDone done_;
  std::vector<std::string> hosts_;  // asked in order until one has an address
  std::size_t host_index_ = 0;
  bool implicit_mx_ = false;
  std::string server_;  // the address probed, for the detail
  CalloutLimiter::Ticket ticket_;
  std::unique_ptr<SmtpProbe> probe_;
  std::optional<CheckResult> result_;
  std::optional<CalloutCacheEntry> cache_entry_;
  std::chrono::seconds cache_ttl_{0};
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<CheckRun> CalloutCheck::start(const ClientContext& context, dns::Resolver& resolver,
                                              CheckDone done) const {
  auto finishNow = [&done](CheckResult r) {
    done(std::move(r));
    return std::make_unique<FinishedRun>();
  };
  const std::string& address = context.mail_from;
  if (address.empty()) {
    CheckResult r;
    r.check = kCheck;
    r.outcome = Outcome::kPass;
    r.reason = "null sender: nothing to verify";
    r.detail = "null sender";
    return finishNow(std::move(r));
  }
  Sender sender;
  sender.address = address;
  sender.shown = printableAscii(address, kNameMax);
  std::size_t at = address.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size()) {
    return finishNow(neutral(sender, "it has no domain", "no domain"));
  }
  sender.domain = asciiLower(std::string_view(address).substr(at + 1));
  if (!isWireSafe(address) || !isHostName(sender.domain)) {
    return finishNow(
        neutral(sender, "it cannot be asked for over plain SMTP", "not a plain ASCII address"));
  }
  for (const std::string& ours : context.our_domains) {
    if (asciiEqualsIgnoreCase(ours, sender.domain)) {
      return finishNow(neutral(sender, "it is at one of our own domains", "our own domain"));
    }
  }
  if (auto cached = services_.cache.get(address, services_.clock())) {
    CheckResult r = findingResult(*cached, sender, config_);
    r.detail = "cached: " + r.detail;
    return finishNow(std::move(r));
  }
  auto run = std::make_unique<CalloutRun>(config_, services_, resolver, std::move(sender),
                                          context.our_hostname, std::move(done));
  run->begin();
  return run;
}

}  // namespace ts
