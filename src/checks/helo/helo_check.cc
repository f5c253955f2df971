// Every failure says what the sender's admin should configure instead: the fix is always
// the EHLO name in the sending MTA's configuration.
#include "checks/helo/helo_check.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include <cstring>

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

}  // namespace ts

namespace ts {

std::unique_ptr<CheckRun> HeloCheck::start(const ClientContext& context, dns::Resolver&,
                                           CheckDone done) const {
  done(evaluate(context));
  return std::make_unique<FinishedRun>();
}

}  // namespace ts
