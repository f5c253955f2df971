// Boost.Program_options reads the command line and the INI-style file into the key table;
// the command line wins over the file. Values are strings here and typed by the table.
#include "config/config.h"

#include <boost/program_options.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "config/config_table.h"
#include "relay/gateway_tls_context.h"
#include "relay/sms_api_credentials.h"
#include "relay/sms_api_endpoint.h"
#include "relay/sms_api_settings.h"

namespace po = boost::program_options;

namespace ts {
namespace {

po::options_description keyOptions() {
  po::options_description desc("Configuration keys (in the file as key = value, or --key=value)");
  for (const ConfigKeyGroup& group : configKeyGroups()) {
    po::options_description section{std::string(group.title)};
    for (const ConfigKey& k : group.keys) {
      std::string doc = std::string(k.doc) + " [" + std::string(k.unit) + ", default " +
                        std::string(k.default_value) + "]";
      section.add_options()(std::string(k.name).c_str(), po::value<std::vector<std::string>>(),
                            doc.c_str());
    }
    desc.add(section);
  }
  return desc;
}

po::options_description commandOptions() {
  po::options_description desc("textscreen: an anti-spam SMTP filter for email-to-SMS gateways");
  desc.add_options()("config,c", po::value<std::string>(), "configuration file")(
      "check-config", "validate the configuration, print problems, exit 0 when it is good")(
      "log-format", po::value<std::string>(), "text or json: the same as --log_format")(
      "help,h", "this help");
  return desc;
}

// Not in --help: tools/gen-conf-man.sh asks for the OPTIONS section of textscreen.conf(5).
po::options_description hiddenOptions() {
  po::options_description desc;
  desc.add_options()("print-config-man", "");
  return desc;
}

// Rules that tie keys together. A network check must give up before the session does, so
// its timeout is a counted temperror and never a dropped client.
Status<> crossCheck(const Config& c) {
  struct Deadline {
    const char* key;
    Duration value;
    bool enabled;  // a check that is off never waits
  };
  const Deadline deadlines[] = {
      {"rdns_timeout", c.rdns.timeout, c.rdns.action != Action::kOff},
      {"helo_timeout", c.helo.timeout, c.helo.action != Action::kOff},
      {"dnsbl_timeout", c.dnsbl.timeout, !c.dnsbl.sites.empty() && c.dnsbl.action != Action::kOff},
      {"sender_domain_timeout", c.sender_domain.timeout, c.sender_domain.action != Action::kOff},
      {"spf_timeout", c.spf.timeout, true},
      {"callout_timeout", c.callout.timeout, c.callout.action != Action::kOff},
      {"dkim_timeout", c.dkim.timeout, true},
      {"dmarc_timeout", c.dmarc.timeout, true},
  };
  for (const Deadline& d : deadlines) {
    if (d.enabled && d.value >= c.command_timeout) {
      return fail(std::string(d.key) + ": must be shorter than command_timeout (" +
                  std::to_string(c.command_timeout.count()) + " ms)");
    }
  }
  if (c.max_total_message_memory < c.max_message_size) {
    return fail("max_total_message_memory: must be at least max_message_size (" +
                std::to_string(c.max_message_size) + " bytes), or no message could be read");
  }
  // The files themselves are read by the daemon (daemon/session_security).
  if (c.tls.certificate.empty() != c.tls.key.empty()) {
    return fail(std::string("tls_certificate and tls_key: set both (STARTTLS) or neither"));
  }
  // The figures say how the filter works and what it refuses: not for every network.
  if (c.metrics_listen && !c.metrics_listen->isLoopback() && !c.metrics_allow_remote) {
    return fail("metrics_listen: " + c.metrics_listen->toString() +
                " is not a loopback address; set metrics_allow_remote = yes to serve metrics "
                "to other hosts (the endpoint has no authentication)");
  }
  if (c.web.tls.certificate.empty() != c.web.tls.key.empty()) {
    return fail(std::string("web_tls_certificate and web_tls_key: set both (HTTPS) or neither"));
  }
  // Basic auth sends the password with every request: never in clear over a network.
  if (!c.web.staff_users_file.empty() && c.web.listen && !c.web.listen->isLoopback() &&
      !c.web.tls.enabled()) {
    return fail("web_staff_users_file: web_listen " + c.web.listen->toString() +
                " is not a loopback address, so staff passwords would cross the network in "
                "clear; set web_tls_certificate and web_tls_key");
  }
  if (c.auth.enabled() && !c.tls.enabled()) {
    return fail(
        std::string("auth_users_file: AUTH is only offered inside TLS; set "
                    "tls_certificate and tls_key too"));
  }
  return Ok{};
}

// Built here, not by a key's setter, because it needs three keys and the gateway address.
Status<> buildGatewayTlsContext(Config& c) {
  GatewayTlsConfig& tls = c.gateway_tls;
  tls.context.reset();
  if (tls.level == GatewayTlsLevel::kNone) return Ok{};
  auto context = GatewayTlsContext::create(tls.level, tls.ca_file,
                                           tls.name.empty() ? c.gateway.host() : tls.name);
  if (!context) return fail(context.error().message);
  tls.context = std::move(*context);
  return Ok{};
}

// The SMS API's keys only matter, and must fit together, when it is the upstream.
Status<> readSmsApiSettings(Config& c, bool read_credentials) {
  SmsApiConfig& api = c.sms_api;
  api.credentials.reset();
  if (c.upstream != UpstreamKind::kSmsApi) return Ok{};
  if (api.from.empty() == api.messaging_service_sid.empty()) {
    return fail(std::string(
        "sms_api_from and sms_api_messaging_service_sid: set exactly one of them (the number "
        "or sender id texts come from, or the API's messaging service that picks one)"));
  }
  if (api.credentials_file.empty()) {
    return fail(
        std::string("sms_api_credentials_file: upstream = sms_api needs the API's account_sid and "
                    "auth_token in a file readable by the daemon's user alone"));
  }
  if (!read_credentials) return Ok{};
  auto credentials = readSmsApiCredentials(api.credentials_file);
  if (!credentials) return fail(credentials.error().message);
  // The URL and the CA file are checked as the client will use them.
  auto endpoint = SmsApiEndpoint::create(SmsApiSettings{
      api.url, api.ca_file, api.from, api.messaging_service_sid, api.timeout, *credentials});
  if (!endpoint) return fail(endpoint.error().message);
  api.credentials = std::make_shared<const SmsApiCredentials>(std::move(*credentials));
  return Ok{};
}

}  // namespace

Result<Invocation> parseCommandLine(int argc, const char* const* argv) {
  Invocation inv;
  po::options_description all;
  all.add(commandOptions()).add(hiddenOptions()).add(keyOptions());
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, all), vm);
  } catch (const po::error& e) {
    return fail(std::string(e.what()));
  }
  if (vm.count("config")) inv.config_file = vm["config"].as<std::string>();
  inv.check_config = vm.count("check-config") > 0;
  inv.help = vm.count("help") > 0;
  inv.print_config_man = vm.count("print-config-man") > 0;
  if (vm.count("log-format")) {
    inv.overrides.push_back("log_format=" + vm["log-format"].as<std::string>());
  }
  for (const ConfigKey& k : configKeys()) {
    std::string name(k.name);
    if (!vm.count(name)) continue;
    for (const std::string& v : vm[name].as<std::vector<std::string>>()) {
      inv.overrides.push_back(name + "=" + v);
    }
  }
  return inv;
}

Result<Config> loadConfig(const Invocation& inv) {
  po::options_description keys = keyOptions();
  std::map<std::string, std::vector<std::string>> from_cli;
  for (const std::string& o : inv.overrides) {
    std::size_t eq = o.find('=');
    from_cli[o.substr(0, eq)].push_back(o.substr(eq + 1));
  }
  po::variables_map from_file;
  if (!inv.config_file.empty()) {
    std::ifstream in(inv.config_file);
    if (!in) return fail("cannot read configuration file " + inv.config_file);
    try {
      po::store(po::parse_config_file(in, keys, false), from_file);
    } catch (const po::error& e) {
      return fail(inv.config_file + ": " + e.what());
    }
  }
  Config config;
  for (const ConfigKey& k : configKeys()) {
    std::string name(k.name);
    std::vector<std::string> values;
    std::string source = "default";
    if (auto it = from_cli.find(name); it != from_cli.end()) {
      values = it->second;
      source = "command line";
    } else if (from_file.count(name)) {
      values = from_file[name].as<std::vector<std::string>>();
      source = inv.config_file;
    } else {
      values = {std::string(k.default_value)};
    }
    auto applied = k.apply(config, values);
    if (!applied) return fail(name + " (" + source + "): " + applied.error().message);
  }
  auto consistent = crossCheck(config);
  if (!consistent) return fail(consistent.error());
  auto tls = buildGatewayTlsContext(config);
  if (!tls) return fail(tls.error());
  auto sms_api = readSmsApiSettings(config, inv.read_credentials);
  if (!sms_api) return fail(sms_api.error());
  return config;
}

std::string configHelp() {
  std::ostringstream out;
  out << "usage: textscreen [--config FILE] [--check-config] [--log-format text|json]\n"
         "                  [--KEY=VALUE ...]\n\n"
      << commandOptions() << "\n"
      << keyOptions();
  return out.str();
}

}  // namespace ts
