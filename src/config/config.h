// The daemon's configuration: one immutable snapshot, replaced whole on reload
// (STYLE.md 7). Every key is declared once, in config_table.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_config.h"
#include "checks/abuse/abuse_config.h"
#include "checks/callout/callout_config.h"
#include "checks/content/content_config.h"
#include "checks/dkim/dkim_config.h"
#include "checks/dmarc/dmarc_config.h"
#include "checks/dnsbl/dnsbl_config.h"
#include "checks/headers/header_config.h"
#include "checks/helo/helo_config.h"
#include "checks/pregreet/pregreet_config.h"
#include "checks/rate/rate_config.h"
#include "checks/rate/redis_config.h"
#include "checks/rdns/rdns_config.h"
#include "checks/sender_domain/sender_domain_config.h"
#include "checks/spf/spf_config.h"
#include "checks/surge/surge_config.h"
#include "dns/dns_config.h"
#include "net/cidr.h"
#include "net/socket_address.h"
#include "net/tls_config.h"
#include "relay/gateway_tls_config.h"
#include "relay/sms_api_config.h"
#include "util/result.h"
#include "web/web_config.h"

namespace ts {

using Duration = std::chrono::milliseconds;

enum class LogTarget { kStderr, kSyslog };
enum class LogFormat { kText, kJson };

struct Config {
  SocketAddress listen;
  bool reuse_port = false;  // SO_REUSEPORT: several processes share `listen`
  std::string hostname;
  SocketAddress gateway;
  std::vector<std::string> gateway_domains;
  std::string default_region;
  std::string postmaster_address;
  std::vector<Cidr> trusted_networks;
  std::vector<Cidr> proxy_networks;  // empty: no PROXY protocol
  Duration proxy_timeout{};
  std::string state_dir;
  std::uint64_t max_message_size = 0;
  unsigned max_recipients = 0;
  std::uint64_t max_line_length = 0;
  unsigned max_connections = 0;
  unsigned max_connections_per_ip = 0;
  unsigned max_connections_per_network = 0;
  std::uint64_t max_total_message_memory = 0;
  unsigned max_commands_per_minute = 0;  // 0: no limit
  unsigned max_errors = 0;
  Duration command_timeout{};
  Duration data_timeout{};
  Duration gateway_connect_timeout{};
  Duration gateway_reply_timeout{};
  unsigned gateway_pool_size = 0;
  Duration gateway_idle_timeout{};
  GatewayTlsConfig gateway_tls;
  UpstreamKind upstream = UpstreamKind::kSmtpGateway;
  SmsApiConfig sms_api;
  Duration shutdown_timeout{};
  double reject_score = 0;
  unsigned number_cache_size = 0;
  LogTarget log = LogTarget::kStderr;
  LogFormat log_format = LogFormat::kText;
  std::uint64_t store_map_size = 0;
  Duration decision_log_max_age{};
  unsigned decision_log_max_entries = 0;
  Duration quarantine_release_max_age{};
  std::string control_socket;  // empty: <state_dir>/control.sock
  // The metrics endpoint: absent is off; an address off loopback needs allow_remote.
  std::optional<SocketAddress> metrics_listen;
  bool metrics_allow_remote = false;
  DnsConfig dns;
  HeloConfig helo;
  PregreetConfig pregreet;
  RdnsConfig rdns;
  DnsblConfig dnsbl;
  SpfConfig spf;
  DkimConfig dkim;
  DmarcConfig dmarc;
  SenderDomainConfig sender_domain;
  CalloutConfig callout;
  HeaderConfig headers;
  ContentConfig content;
  RateConfig rate;
  RedisConfig redis;
  AbuseConfig abuse;
  SurgeConfig surge;
  TlsConfig tls;
  AuthConfig auth;
  WebConfig web;

  std::string storeDirectory() const { return state_dir + "/store"; }
  std::string controlSocketPath() const {
    return control_socket.empty() ? state_dir + "/control.sock" : control_socket;
  }

  std::uint64_t generation = 0;  // set by the daemon on each successful (re)load
};

// What the command line asked for besides the configuration itself.
struct Invocation {
  std::string config_file;  // empty: built-in defaults only
  bool check_config = false;
  bool help = false;
  bool print_config_man = false;
  std::vector<std::string> overrides;  // "key=value", from --key=value
  // The SMS API's credentials file is for the daemon's user alone (mode 600): textscreenctl,
  // run by staff of the textscreen group, never reads it (and never needs the token).
  bool read_credentials = true;
};

Result<Invocation> parseCommandLine(int argc, const char* const* argv);
// Reads the file named by the invocation (if any), applies the overrides, validates.
Result<Config> loadConfig(const Invocation& invocation);
// The --help text, generated from the key table.
std::string configHelp();

}  // namespace ts
