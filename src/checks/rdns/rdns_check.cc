// FCrDNS as Postfix's reject_unknown_client_hostname does it: one PTR lookup, then every
// PTR name (at most ten) asked at once for the client's address family; the first name
// whose addresses include the client settles it. The reasons tell the sender's admin that
// the fix is in their reverse zone or their ISP's, which is where it always is.
#include "checks/rdns/rdns_check.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/dns_queries.h"
#include "dns/reverse_name.h"
#include "util/domain_labels.h"
#include "util/printable.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;

// Postfix asks at most this many PTR names; a longer list is a misconfiguration or an
// attempt to make us send many queries.
constexpr std::size_t kMaxPtrNames = 10;
// A reply line has room for about 500 characters: the reason names a few PTR names, each
// cut short; the log keeps more.
constexpr std::size_t kReasonNamesMax = 3;
constexpr std::size_t kReasonNameMax = 100;
constexpr std::size_t kDetailNameMax = 255;
constexpr std::size_t kDetailAddressesMax = 4;

// Underscores are allowed (some ISPs' reverse zones use them); anything else outside
// letters, digits and hyphens cannot be a name with an address record.
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
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return !name.empty() && name.size() <= 253 && everyLabel(name, isHostLabel);
}

// The address bytes of a forward record, to compare with the client's: text forms differ
// ("2001:db8::1" and "2001:0db8:0:0::1" are one address).
std::string addressBytes(const std::string& text, std::size_t size) {
  unsigned char buf[16];
  if (inet_pton(size == 4 ? AF_INET : AF_INET6, text.c_str(), buf) != 1) return {};
  return std::string(reinterpret_cast<char*>(buf), size);
}

// One PTR name and what its forward lookup gave.
struct PtrName {
  std::string name;
  bool host = false;  // asked only when it can be a host name
  bool answered = false;
  DnsStatus status = DnsStatus::kError;
  std::vector<std::string> addresses;

  bool failed() const { return answered && dns::isTemporary(status); }
};

class RdnsRun final : public CheckRun {
 public:
  RdnsRun(dns::Resolver& resolver, const SocketAddress& peer, double score, CheckDone done)
      : queries_(resolver,
                 [this](std::size_t index, const DnsAnswer& answer) { onAnswer(index, answer); }),
        client_(peer.unmappedHost()),
        client_bytes_(peer.unmappedBytes()),
        score_(score),
        done_(std::move(done)) {}

  void begin(const std::string& ptr_name) {
    queries_.send({{ptr_name, ns_t_ptr}});
    maybeFinish();
  }

 private:
  // Index 0 is the PTR lookup; the forward lookups are the one batch after it.
  static constexpr std::size_t kFirstForward = 1;

  void onAnswer(std::size_t index, const DnsAnswer& answer) {
    if (index == 0) {
      onPtr(answer);
    } else {
      onForward(index, answer);
    }
    maybeFinish();  // last: it may destroy this run
  }

  void onPtr(const DnsAnswer& answer) {
    ptr_status_ = answer.status;
    std::vector<DnsQueries::Lookup> lookups;
    ns_type type = client_bytes_.size() == 4 ? ns_t_a : ns_t_aaaa;
    for (const std::string& name : answer.records) {
      if (names_.size() == kMaxPtrNames) {
        ++ignored_;
        continue;
      }
      PtrName& n = names_.emplace_back();
      n.name = name;
      // A name that cannot be a host name cannot resolve back; asking would only risk a
      // resolver error (temporary) turning a broken PTR into a temperror.
      n.host = isHostName(name);
      if (n.host) {
        forward_of_.push_back(names_.size() - 1);
        lookups.push_back({name, type});
      }
    }
    if (!lookups.empty()) queries_.send(lookups);
  }

  void onForward(std::size_t index, const DnsAnswer& answer) {
    PtrName& n = names_[forward_of_[index - kFirstForward]];
    n.answered = true;
    n.status = answer.status;
    n.addresses = answer.records;
    if (answer.status != DnsStatus::kOk || confirmed_) return;
    for (const std::string& address : answer.records) {
      if (addressBytes(address, client_bytes_.size()) != client_bytes_) continue;
      confirmed_ = forward_of_[index - kFirstForward];
      queries_.stop();  // the verdict is known: the other names need no answer
      return;
    }
  }

  // Every path that may end the run ends here, and done is the very last thing it does.
  void maybeFinish() {
    if (finished_ || queries_.sending()) return;
    if (!confirmed_ && queries_.pending() > 0) return;
    queries_.stop();
    finished_ = true;
    CheckResult r = result();
    CheckDone done = std::move(done_);
    done(std::move(r));
  }

  CheckResult result() const {
    CheckResult r;
    r.check = "rdns";
    r.detail = detail();
    if (dns::isTemporary(ptr_status_)) {
      return tempError(std::move(r), dns::toString(ptr_status_));
    }
    if (names_.empty()) {
      r.outcome = Outcome::kFail;
      r.score = score_;
      r.enhanced = "5.7.25";
      r.reason = fmt::format(
          "Reverse DNS of {0} is missing: ask the owner of the address (your ISP) for a PTR "
          "record whose name resolves back to {0}",
          client_);
      return r;
    }
    if (confirmed_) {
      r.outcome = Outcome::kPass;
      r.reason = fmt::format("Reverse DNS of {} is {}, which resolves back to it", client_,
                             printableAscii(names_[*confirmed_].name, kReasonNameMax));
      return r;
    }
    for (const PtrName& n : names_) {
      if (!n.failed()) continue;
      return tempError(std::move(r), fmt::format("{} resolving {}", dns::toString(n.status),
                                                 printableAscii(n.name, kReasonNameMax)));
    }
    r.outcome = Outcome::kFail;
    r.score = score_;
    r.enhanced = "5.7.25";
    r.reason = unconfirmedReason();
    return r;
  }

  CheckResult tempError(CheckResult r, std::string_view why) const {
    r.outcome = Outcome::kTempError;
    r.enhanced = "4.7.25";
    r.reason =
        fmt::format("Reverse DNS of {} could not be checked ({}); try again later", client_, why);
    return r;
  }

  std::string unconfirmedReason() const {
    std::string named;
    for (std::size_t i = 0; i < names_.size() && i < kReasonNamesMax; ++i) {
      if (i > 0) named += ", ";
      named += printableAscii(names_[i].name, kReasonNameMax);
    }
    if (names_.size() > kReasonNamesMax) {
      named += fmt::format(" and {} more", names_.size() - kReasonNamesMax);
    }
    std::string what = names_.size() == 1
                           ? fmt::format("its PTR name {} does not resolve", named)
                           : fmt::format("none of its PTR names ({}) resolves", named);
    return fmt::format(
        "Reverse DNS of {0} does not confirm: {1} back to {0}; set a PTR whose name resolves "
        "back to it",
        client_, what);
  }

  // "confirmed mail.example.com; ptr mail.example.com=192.0.2.1 old.example.com=nxdomain"
  std::string detail() const {
    if (names_.empty()) {
      return fmt::format("ptr {}",
                         ptr_status_ == DnsStatus::kOk ? "nodata" : dns::toString(ptr_status_));
    }
    std::string out = confirmed_
                          ? fmt::format("confirmed {}; ptr",
                                        printableAscii(names_[*confirmed_].name, kDetailNameMax))
                          : std::string("not confirmed; ptr");
    for (const PtrName& n : names_) {
      out += fmt::format(" {}={}", printableAscii(n.name, kDetailNameMax), forwardText(n));
    }
    if (ignored_ > 0) out += fmt::format(" (+{} PTR names ignored)", ignored_);
    return out;
  }

  static std::string forwardText(const PtrName& n) {
    if (!n.host) return "not-a-host-name";
    if (!n.answered) return "unanswered";
    if (n.status != DnsStatus::kOk) return std::string(dns::toString(n.status));
    if (n.addresses.empty()) return "nodata";
    std::string out;
    for (std::size_t i = 0; i < n.addresses.size() && i < kDetailAddressesMax; ++i) {
      if (i > 0) out.push_back(',');
      out += printableAscii(n.addresses[i], 64);
    }
    if (n.addresses.size() > kDetailAddressesMax) {
      out += fmt::format(",+{}", n.addresses.size() - kDetailAddressesMax);
    }
    return out;
  }

  DnsQueries queries_;
  std::string client_;
  std::string client_bytes_;  // 4 or 16: unmapped, as the client really is
  double score_;
  CheckDone done_;
  DnsStatus ptr_status_ = DnsStatus::kError;
  std::vector<PtrName> names_;
  std::size_t ignored_ = 0;
  std::vector<std::size_t> forward_of_;   // forward lookup (from kFirstForward) -> names_
  std::optional<std::size_t> confirmed_;  // into names_
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<CheckRun> RdnsCheck::start(const ClientContext& context, dns::Resolver& resolver,
                                           CheckDone done) const {
  std::string ptr_name = dns::ptrName(context.peer);
  if (ptr_name.empty()) {
    CheckResult r;
    r.check = "rdns";
    r.outcome = Outcome::kPass;
    r.detail = "no address";
    done(std::move(r));
    return std::make_unique<FinishedRun>();
  }
  auto run = std::make_unique<RdnsRun>(resolver, context.peer, config_.score, std::move(done));
  run->begin(ptr_name);
  return run;
}

}  // namespace ts
