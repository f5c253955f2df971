// Every configuration key, declared once. Defaults are for a production gateway host;
// packaging/quickstart.conf overrides what a first run on a laptop needs.
#include "config/config_table.h"

#include <array>
#include <limits>
#include <vector>

#include "auth/auth_config.h"
#include "checks/callout/callout_config.h"
#include "checks/dkim/dkim_config.h"
#include "checks/dmarc/dmarc_config.h"
#include "checks/dnsbl/dnsbl_config.h"
#include "checks/helo/helo_config.h"
#include "checks/pregreet/pregreet_config.h"
#include "checks/rate/redis_config.h"
#include "checks/rdns/rdns_config.h"
#include "checks/sender_domain/sender_domain_config.h"
#include "checks/spf/spf_config.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"
#include "dns/dns_config.h"
#include "net/tls_config.h"
#include "policy/subscriber_number.h"
#include "relay/gateway_tls_config.h"
#include "relay/sms_api_config.h"
#include "util/ascii.h"
#include "web/web_config.h"

namespace ts {
namespace {

Result<std::string> single(const std::vector<std::string>& values) {
  return singleValue(values);
}

template <auto Field>
Status<> setAddress(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  auto a = SocketAddress::parse(*v);
  if (!a) return fail(a.error());
  c.*Field = *a;
  return Ok{};
}

// Empty: the feature the address is for is off.
template <auto Field>
Status<> setOptionalAddress(Config& c, const std::vector<std::string>& values) {
  return assignOptionalAddress(c.*Field, values);
}

Status<> setMetricsAllowRemote(Config& c, const std::vector<std::string>& values) {
  return assignYesNo(c.metrics_allow_remote, values);
}

template <auto Field>
Status<> setString(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  if (v->empty()) return fail(std::string("must not be empty"));
  c.*Field = *v;
  return Ok{};
}

template <auto Field>
Status<> setOptionalString(Config& c, const std::vector<std::string>& values) {
  return assignText(c.*Field, values);
}

template <auto Field>
Status<> setYesNo(Config& c, const std::vector<std::string>& values) {
  return assignYesNo(c.*Field, values);
}

template <auto Field>
Status<> setDuration(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  if (d->count() == 0) return fail(std::string("must be longer than 0"));
  c.*Field = *d;
  return Ok{};
}

template <auto Field, std::uint64_t Min = 1>
Status<> setByteSize(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  auto n = parseByteSize(*v);
  if (!n) return fail(n.error());
  if (*n < Min) return fail("must be at least " + std::to_string(Min) + " bytes");
  c.*Field = *n;
  return Ok{};
}

template <auto Field, std::uint64_t Min = 1>
Status<> setCount(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n < Min || *n > std::numeric_limits<unsigned>::max()) {
    return fail("must be a whole number from " + std::to_string(Min));
  }
  c.*Field = static_cast<unsigned>(*n);
  return Ok{};
}

Status<> setGatewayDomains(Config& c, const std::vector<std::string>& values) {
  c.gateway_domains.clear();
  for (const std::string& d : splitList(values)) {
    if (d.find('.') == std::string::npos || d.front() == '.' || d.back() == '.' ||
        d.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
            std::string::npos) {
      return fail("'" + d + "' is not a domain name (use A-labels, e.g. sms.example.net)");
    }
    c.gateway_domains.push_back(asciiLower(d));
  }
  if (c.gateway_domains.empty()) return fail(std::string("needs at least one domain"));
  return Ok{};
}

template <auto Field>
Status<> setNetworks(Config& c, const std::vector<std::string>& values) {
  (c.*Field).clear();
  for (const std::string& n : splitList(values)) {
    if (n == "none") continue;
    auto cidr = Cidr::parse(n);
    if (!cidr) return fail(cidr.error());
    (c.*Field).push_back(*cidr);
  }
  return Ok{};
}

Status<> setRegion(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  if (!SubscriberNumberValidator::isSupportedRegion(*v)) {
    return fail("'" + *v +
                "' is not a region libphonenumber knows (use a CLDR code such as US, GB)");
  }
  c.default_region = *v;
  return Ok{};
}

Status<> setPostmaster(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  std::size_t at = v->rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == v->size() ||
      v->find_first_of(" <>\t\"") != std::string::npos) {
    return fail("'" + *v + "' is not a plain address like postmaster@carrier.example");
  }
  c.postmaster_address = *v;
  return Ok{};
}

Status<> setRejectScore(Config& c, const std::vector<std::string>& values) {
  auto set = assignScore(c.reject_score, values);
  if (set && c.reject_score <= 0) return fail(std::string("must be above 0"));
  return set;
}

Status<> setLog(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  if (*v == "stderr") {
    c.log = LogTarget::kStderr;
  } else if (*v == "syslog") {
    c.log = LogTarget::kSyslog;
  } else {
    return fail("'" + *v + "' is not a log target (stderr or syslog)");
  }
  return Ok{};
}

Status<> setLogFormat(Config& c, const std::vector<std::string>& values) {
  auto v = single(values);
  if (!v) return fail(v.error());
  if (*v == "text") {
    c.log_format = LogFormat::kText;
  } else if (*v == "json") {
    c.log_format = LogFormat::kJson;
  } else {
    return fail("'" + *v + "' is not a log format (text or json)");
  }
  return Ok{};
}

constexpr std::array kKeys = {
    ConfigKey{"listen", "127.0.0.1:25", "address:port",
              "Where to accept SMTP: an address literal and port, [::1]:25 for IPv6.", false,
              setAddress<&Config::listen>},
    ConfigKey{"reuse_port", "no", "yes/no",
              "yes: bind listen with SO_REUSEPORT, so several textscreen processes on this host "
              "share the address and the kernel spreads connections over them. Each process "
              "needs its own control_socket; share counters through redis_address.",
              false, setYesNo<&Config::reuse_port>},
    ConfigKey{"hostname", "localhost", "name",
              "This host's name, in the banner, the EHLO reply and the Received: header.", false,
              setString<&Config::hostname>},
    ConfigKey{"gateway", "127.0.0.1:2526", "address:port",
              "The carrier SMS gateway that accepted mail is relayed to (an address literal).",
              false, setAddress<&Config::gateway>},
    ConfigKey{
        "gateway_domain", "sms.example.net", "list",
        "The domains the gateway serves; mail for any other domain is refused (no open relay).",
        true, setGatewayDomains},
    ConfigKey{"default_region", "US", "region",
              "Region (CLDR code) for reading recipient numbers written without a leading +.",
              false, setRegion},
    ConfigKey{"postmaster_address", "postmaster@localhost", "address",
              "Where mail to postmaster@ and abuse@ of a gateway domain is delivered instead.",
              false, setPostmaster},
    ConfigKey{"trusted_networks", "127.0.0.0/8, ::1/128", "list",
              "Client networks that skip the screening checks (not the recipient policy); 'none' "
              "for none.",
              true, setNetworks<&Config::trusted_networks>},
    ConfigKey{"proxy_networks", "", "list",
              "Load balancers that must open each connection with a PROXY protocol header (v1 "
              "or v2); empty or 'none': PROXY is off and no client's bytes are read as one.",
              true, setNetworks<&Config::proxy_networks>},
    ConfigKey{"proxy_timeout", "10s", "duration",
              "How long a connection from proxy_networks may take to send its PROXY header.", false,
              setDuration<&Config::proxy_timeout>},
    ConfigKey{"state_dir", "/var/lib/textscreen", "path",
              "Directory for the LMDB store and other state.", false,
              setString<&Config::state_dir>},
    ConfigKey{"max_message_size", "64k", "bytes",
              "Largest message accepted; announced in EHLO SIZE and enforced while reading.", false,
              setByteSize<&Config::max_message_size, 1024>},
    ConfigKey{"max_recipients", "50", "count", "Most recipients accepted in one transaction.",
              false, setCount<&Config::max_recipients>},
    ConfigKey{"max_line_length", "2048", "bytes",
              "Longest command line accepted (RFC 5321 allows 512; extensions need more).", false,
              setByteSize<&Config::max_line_length, 512>},
    ConfigKey{"max_connections", "1000", "count", "Most client connections at once.", false,
              setCount<&Config::max_connections>},
    ConfigKey{"max_connections_per_ip", "50", "count",
              "Most connections at once from one client address.", false,
              setCount<&Config::max_connections_per_ip>},
    ConfigKey{"max_connections_per_network", "200", "count",
              "Most connections at once from one client network (IPv4 /24, IPv6 /64); trusted "
              "networks are exempt from this and max_connections_per_ip.",
              false, setCount<&Config::max_connections_per_network>},
    ConfigKey{"max_total_message_memory", "512M", "bytes",
              "Memory for messages in transit, all sessions together: each DATA reserves "
              "max_message_size; when none is left, DATA is answered 452 4.3.1.",
              false, setByteSize<&Config::max_total_message_memory, 1024>},
    ConfigKey{"max_commands_per_minute", "600", "count",
              "Most commands one connection may send in a minute; more ends it with 421 (and "
              "the penalty box); 0: no limit.",
              false, setCount<&Config::max_commands_per_minute, 0>},
    ConfigKey{
        "max_errors", "20", "count",
        "Error replies after which a session is ended with 421 (Postfix smtpd_hard_error_limit); "
        "this side's faults (4.3.x, 4.4.x: gateway down, no memory) do not count.",
        false, setCount<&Config::max_errors>},
    ConfigKey{"command_timeout", "300s", "duration",
              "How long to wait for the next client command.", false,
              setDuration<&Config::command_timeout>},
    ConfigKey{"data_timeout", "120s", "duration",
              "How long to wait for more message data during DATA.", false,
              setDuration<&Config::data_timeout>},
    ConfigKey{"gateway_connect_timeout", "10s", "duration",
              "How long to wait for a connection to the gateway and its greeting.", false,
              setDuration<&Config::gateway_connect_timeout>},
    ConfigKey{"gateway_reply_timeout", "60s", "duration",
              "How long to wait for each reply of the gateway.", false,
              setDuration<&Config::gateway_reply_timeout>},
    ConfigKey{"gateway_pool_size", "32", "count", "Idle gateway connections kept open for reuse.",
              false, setCount<&Config::gateway_pool_size, 0>},
    ConfigKey{"gateway_idle_timeout", "60s", "duration",
              "How long an idle gateway connection is kept.", false,
              setDuration<&Config::gateway_idle_timeout>},
    ConfigKey{"shutdown_timeout", "30s", "duration",
              "On SIGTERM, how long sessions in flight may take to finish.", false,
              setDuration<&Config::shutdown_timeout>},
    ConfigKey{"reject_score", "10", "score",
              "Total score of scoring checks at which a message is refused.", false,
              setRejectScore},
    ConfigKey{"number_cache_size", "100000", "count",
              "Recipient numbers whose validity is remembered.", false,
              setCount<&Config::number_cache_size, 0>},
    ConfigKey{"log", "stderr", "target", "Where log lines go: stderr or syslog (mail facility).",
              false, setLog},
    ConfigKey{"log_format", "text", "format",
              "Log lines as text (ref first, then key=value) or json (one object per line, "
              "the same fields); --log-format on the command line. Read at start only.",
              false, setLogFormat},
    ConfigKey{"store_map_size", "4G", "bytes",
              "Largest size the LMDB store may grow to (its memory map); a full store defers mail.",
              false, setByteSize<&Config::store_map_size, 1024 * 1024>},
    ConfigKey{"decision_log_max_age", "30d", "duration",
              "Decision records older than this are pruned.", false,
              setDuration<&Config::decision_log_max_age>},
    ConfigKey{"decision_log_max_entries", "1000000", "count",
              "Most decision records kept; the oldest are pruned first.", false,
              setCount<&Config::decision_log_max_entries>},
    ConfigKey{"quarantine_release_max_age", "1h", "duration",
              "textscreenctl refuses to release older quarantined mail without --force: "
              "late alerts confuse people.",
              false, setDuration<&Config::quarantine_release_max_age>},
    ConfigKey{
        "control_socket", "", "path",
        "Unix socket for textscreenctl status and live state; empty: <state_dir>/control.sock. "
        "Processes sharing a state_dir need one each: a path another daemon answers on is a "
        "startup error.",
        false, setOptionalString<&Config::control_socket>},
    ConfigKey{"metrics_listen", "", "address:port",
              "Where to serve Prometheus metrics over HTTP (GET /metrics), e.g. "
              "127.0.0.1:9125; empty: off. Off loopback only with metrics_allow_remote.",
              false, setOptionalAddress<&Config::metrics_listen>},
    ConfigKey{"metrics_allow_remote", "no", "yes/no",
              "Let metrics_listen be an address other hosts can reach; the endpoint has no "
              "authentication, so firewall it.",
              false, setMetricsAllowRemote},
};

}  // namespace

std::span<const ConfigKeyGroup> configKeyGroups() {
  static const std::vector<ConfigKeyGroup> groups = {
      {"General", kKeys},
      {"DNS resolver", dnsConfigKeys()},
      {"HELO check", heloConfigKeys()},
      {"Pregreet check", pregreetConfigKeys()},
      {"Reverse DNS check", rdnsConfigKeys()},
      {"DNS lists", dnsblConfigKeys()},
      {"Sender domain check", senderDomainConfigKeys()},
      {"SPF", spfConfigKeys()},
      {"Sender callout", calloutConfigKeys()},
      {"DKIM", dkimConfigKeys()},
      {"DMARC", dmarcConfigKeys()},
      {"Header compliance", headerConfigKeys()},
      {"Content rules", contentConfigKeys()},
      {"Rate limits", rateConfigKeys()},
      {"Shared counters (Redis)", redisConfigKeys()},
      {"Abuse counters and penalty box", abuseConfigKeys()},
      {"Surge mode", surgeConfigKeys()},
      {"STARTTLS", tlsConfigKeys()},
      {"AUTH", authConfigKeys()},
      {"TLS to the gateway", gatewayTlsConfigKeys()},
      {"SMS API upstream", smsApiConfigKeys()},
      {"Web pages", webConfigKeys()},
  };
  return groups;
}

std::span<const ConfigKey> configKeys() {
  static const std::vector<ConfigKey> all = [] {
    std::vector<ConfigKey> keys;
    for (const ConfigKeyGroup& group : configKeyGroups()) {
      keys.insert(keys.end(), group.keys.begin(), group.keys.end());
    }
    return keys;
  }();
  return all;
}

}  // namespace ts
