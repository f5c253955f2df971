// Configuration: defaults load, files and overrides apply, and each bad value is a clear
// error that names its key.
#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config_table.h"
#include "config/value_parsers.h"
#include "unit/config_file.h"

namespace ts {
namespace {

using ts::testing::loadWith;

TEST(Config, DefaultsAreValid) {
  auto c = loadConfig(Invocation{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen.toString(), "127.0.0.1:25");
  EXPECT_EQ(c->max_message_size, 64u * 1024);
  EXPECT_EQ(c->command_timeout, std::chrono::seconds(300));
}

TEST(Config, FileAndOverrides) {
  auto c = loadWith(
      "listen = 127.0.0.1:2525\n"
      "gateway_domain = sms.example.net, MMS.example.net\n"
      "gateway_domain = third.example\n"
      "max_recipients = 5\n"
      "data_timeout = 500ms\n",
      {"max_recipients=7"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen.port(), 2525);
  EXPECT_EQ(c->gateway_domains,
            (std::vector<std::string>{"sms.example.net", "mms.example.net", "third.example"}));
  EXPECT_EQ(c->max_recipients, 7u);
  EXPECT_EQ(c->data_timeout, std::chrono::milliseconds(500));
}

TEST(Config, BadValuesNameTheirKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"listen = nowhere\n", "listen"},
      {"default_region = XX\n", "default_region"},
      {"max_line_length = 10\n", "max_line_length"},
      {"trusted_networks = 10.0.0.0/33\n", "trusted_networks"},
      {"proxy_networks = haproxy.example\n", "proxy_networks"},
      {"proxy_timeout = 0s\n", "proxy_timeout"},
      {"command_timeout = soon\n", "command_timeout"},
      {"max_message_size = 12x\n", "max_message_size"},
      {"postmaster_address = nobody\n", "postmaster_address"},
      {"gateway_domain = localhost\n", "gateway_domain"},
      {"log = file\n", "log"},
      {"max_recipients = 1\nmax_recipients = 2\n", "max_recipients"},
      {"no_such_key = 1\n", "no_such_key"},
  };
  for (const auto& [text, key] : cases) {
    auto c = loadWith(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

TEST(Config, ProxyNetworksAreOffByDefault) {
  auto off = loadConfig(Invocation{});
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_TRUE(off->proxy_networks.empty());
  EXPECT_EQ(off->proxy_timeout, std::chrono::seconds(10));
  auto on = loadWith("proxy_networks = 10.0.0.5/32, 2001:db8::/64\nproxy_timeout = 3s\n");
  ASSERT_TRUE(on.ok()) << on.error().message;
  ASSERT_EQ(on->proxy_networks.size(), 2u);
  EXPECT_EQ(on->proxy_networks[0].toString(), "10.0.0.5/32");
  EXPECT_EQ(on->proxy_timeout, std::chrono::seconds(3));
  auto none = loadWith("proxy_networks = none\n");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->proxy_networks.empty());
}

TEST(Config, MissingFileIsAnError) {
  Invocation inv;
  inv.config_file = "/nonexistent/textscreen.conf";
  EXPECT_FALSE(loadConfig(inv).ok());
}

TEST(Config, CommandLine) {
  const char* argv[] = {"textscreen", "--config", "x.conf", "--check-config", "--max_recipients=3"};
  auto inv = parseCommandLine(5, argv);
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->config_file, "x.conf");
  EXPECT_TRUE(inv->check_config);
  EXPECT_EQ(inv->overrides, std::vector<std::string>{"max_recipients=3"});
  const char* bad[] = {"textscreen", "--bogus"};
  EXPECT_FALSE(parseCommandLine(2, bad).ok());
}

TEST(ValueParsers, Units) {
  EXPECT_EQ(*parseDuration("30"), std::chrono::seconds(30));
  EXPECT_EQ(*parseDuration("2m"), std::chrono::minutes(2));
  EXPECT_EQ(*parseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_FALSE(parseDuration("1y").ok());
  EXPECT_FALSE(parseDuration("").ok());
  EXPECT_EQ(*parseByteSize("64k"), 65536u);
  EXPECT_EQ(*parseByteSize("2M"), 2u * 1024 * 1024);
  EXPECT_FALSE(parseByteSize("99999999999999999999").ok());
  EXPECT_EQ(splitList({"a, b c", "d"}), (std::vector<std::string>{"a", "b", "c", "d"}));
}

// The shipped files must stay in step with the key table: every key documented in the
// production file, and both shipped files valid.
// Invariant 3: no configuration can turn a DNS fault into a rejection.
TEST(Config, TemporaryFaultsCannotReject) {
  for (const char* key :
       {"rdns_temperror_action", "helo_temperror_action", "dnsbl_temperror_action"}) {
    for (const char* bad : {"reject", "quarantine", "score"}) {
      auto c = loadWith("", {std::string(key) + "=" + bad});
      ASSERT_FALSE(c.ok()) << key << "=" << bad;
      EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
      EXPECT_NE(c.error().message.find("temporary"), std::string::npos) << c.error().message;
    }
    for (const char* good : {"observe", "tempfail"}) {
      auto c = loadWith("", {std::string(key) + "=" + good});
      EXPECT_TRUE(c.ok()) << key << "=" << good << ": " << c.error().message;
    }
  }
}

TEST(Config, CheckDeadlinesBelowTheSessionTimeout) {
  auto c = loadWith("command_timeout = 20s\nrdns_timeout = 20s\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("rdns_timeout"), std::string::npos) << c.error().message;
  EXPECT_TRUE(loadWith("command_timeout = 20s\nrdns_timeout = 19s\n").ok());
  EXPECT_FALSE(loadWith("dnsbl_timeout = 0\n").ok());
  EXPECT_FALSE(loadWith("helo_timeout = 2m\n").ok());
}

TEST(Config, MessageMemoryHoldsAtLeastOneMessage) {
  auto c = loadWith("max_message_size = 1M\nmax_total_message_memory = 512k\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("max_total_message_memory"), std::string::npos)
      << c.error().message;
  auto ok = loadWith("max_message_size = 1M\nmax_total_message_memory = 1M\n");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->max_total_message_memory, 1024u * 1024);
  auto defaults = loadConfig(Invocation{});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_connections_per_network, 200u);
  EXPECT_EQ(defaults->max_commands_per_minute, 600u);
  EXPECT_TRUE(loadWith("max_commands_per_minute = 0\n").ok());
  EXPECT_FALSE(loadWith("max_connections_per_network = 0\n").ok());
}

TEST(Config, DnsServersAreAddressLiterals) {
  auto c = loadWith("dns_servers = 127.0.0.1:5353, ::1, 127.0.0.2\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->dns.resolver.servers, "127.0.0.1:5353,[::1]:53,127.0.0.2:53");
  auto system = loadConfig(Invocation{});
  ASSERT_TRUE(system.ok());
  EXPECT_EQ(system->dns.resolver.servers, "");
  auto named = loadWith("dns_servers = resolver.example\n");
  ASSERT_FALSE(named.ok());
  EXPECT_NE(named.error().message.find("dns_servers"), std::string::npos);
  EXPECT_FALSE(loadWith("dns_tries = 0\n").ok());
}

TEST(Config, ShippedFilesDocumentEveryKeyAndAreValid) {
  std::string dir = TEXTSCREEN_SOURCE_DIR "/packaging/";
  std::ifstream in(dir + "textscreen.conf");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const ConfigKey& k : configKeys()) {
    EXPECT_NE(text.find("\n" + std::string(k.name) + " ="), std::string::npos) << k.name;
  }
  // The shipped config names the rules where the package installs them; here they are
  // read from the source tree. The quick start runs from the top of the source tree.
  Invocation shipped;
  shipped.config_file = dir + "textscreen.conf";
  shipped.overrides = {"content_rules=" TEXTSCREEN_SOURCE_DIR "/rules/textscreen.rules"};
  auto c = loadConfig(shipped);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  std::filesystem::path here = std::filesystem::current_path();
  std::filesystem::current_path(TEXTSCREEN_SOURCE_DIR);
  Invocation quickstart;
  quickstart.config_file = dir + "quickstart.conf";
  auto q = loadConfig(quickstart);
  std::filesystem::current_path(here);
  EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
  EXPECT_TRUE(q.ok() && q->content.rules && q->content.rules->size() > 0);
}

TEST(Config, MetricsAreOffByDefaultAndLoopbackUnlessAllowed) {
  auto off = loadConfig(Invocation{});
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->metrics_listen.has_value());
  EXPECT_FALSE(off->metrics_allow_remote);

  for (const char* local : {"127.0.0.1:9125", "127.3.4.5:9125", "[::1]:9125"}) {
    auto on = loadWith(std::string("metrics_listen = ") + local + "\n");
    ASSERT_TRUE(on.ok()) << local << ": " << on.error().message;
    ASSERT_TRUE(on->metrics_listen.has_value());
    EXPECT_EQ(on->metrics_listen->port(), 9125);
  }
  for (const char* remote : {"0.0.0.0:9125", "192.0.2.7:9125", "[::]:9125"}) {
    auto refused = loadWith(std::string("metrics_listen = ") + remote + "\n");
    ASSERT_FALSE(refused.ok()) << remote;
    EXPECT_NE(refused.error().message.find("metrics_allow_remote"), std::string::npos)
        << refused.error().message;
    auto allowed =
        loadWith(std::string("metrics_listen = ") + remote + "\nmetrics_allow_remote = yes\n");
    EXPECT_TRUE(allowed.ok()) << remote << ": " << allowed.error().message;
  }
  EXPECT_FALSE(loadWith("metrics_listen = localhost:9125\n").ok());
}

TEST(Config, WebPagesAreOffByDefaultAndStaffPasswordsNeverGoInClear) {
  auto off = loadConfig(Invocation{});
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->web.listen.has_value());
  EXPECT_EQ(off->web.why_rate, 20u);

  auto public_page = loadWith("web_listen = 0.0.0.0:8080\n");
  EXPECT_TRUE(public_page.ok()) << "/why is for the world: any address may serve it";

  auto local_staff = loadWith("web_listen = 127.0.0.1:8080\nweb_staff_users_file = /x\n");
  EXPECT_TRUE(local_staff.ok()) << local_staff.error().message;

  auto clear = loadWith("web_listen = 192.0.2.7:8080\nweb_staff_users_file = /x\n");
  ASSERT_FALSE(clear.ok());
  EXPECT_NE(clear.error().message.find("web_tls_certificate"), std::string::npos)
      << clear.error().message;
  auto https = loadWith(
      "web_listen = 192.0.2.7:8443\nweb_staff_users_file = /x\n"
      "web_tls_certificate = /c.pem\nweb_tls_key = /k.pem\n");
  EXPECT_TRUE(https.ok()) << https.error().message;

  auto half = loadWith("web_tls_certificate = /c.pem\n");
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.error().message.find("web_tls_key"), std::string::npos);
  EXPECT_FALSE(loadWith("web_why_rate = 0\n").ok());
  EXPECT_FALSE(loadWith("web_listen = localhost:8080\n").ok());
}

TEST(Config, TlsAndAuthKeysGoTogether) {
  auto neither = loadWith("");
  ASSERT_TRUE(neither.ok()) << neither.error().message;
  EXPECT_FALSE(neither->tls.enabled());
  EXPECT_FALSE(neither->auth.enabled());

  auto both = loadWith(
      "tls_certificate = /etc/ssl/mx.pem\ntls_key = /etc/ssl/mx.key\n"
      "auth_users_file = /etc/textscreen/users\n");
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->tls.certificate, "/etc/ssl/mx.pem");
  EXPECT_EQ(both->tls.key, "/etc/ssl/mx.key");
  EXPECT_EQ(both->auth.users_file, "/etc/textscreen/users");

  auto half = loadWith("tls_certificate = /etc/ssl/mx.pem\n");
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.error().message.find("set both"), std::string::npos) << half.error().message;

  auto auth_without_tls = loadWith("auth_users_file = /etc/textscreen/users\n");
  ASSERT_FALSE(auth_without_tls.ok());
  EXPECT_NE(auth_without_tls.error().message.find("only offered inside TLS"), std::string::npos)
      << auth_without_tls.error().message;
}

// A credentials file as the daemon's user would write it, with the given mode.
std::string credentialsFile(const std::string& name, std::filesystem::perms mode) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << "account_sid=AC0123456789abcdef0123456789abcdef\nauth_token=secret\n";
  std::filesystem::permissions(path, mode);
  return path;
}

TEST(Config, SmsApiIsOffByDefaultAndNeedsItsKeysWhenOn) {
  auto off = loadWith("");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_EQ(off->upstream, UpstreamKind::kSmtpGateway);
  EXPECT_EQ(off->sms_api.url, "https://api.twilio.com");
  EXPECT_EQ(off->sms_api.template_text, "{subject}\n{body}");
  EXPECT_EQ(off->sms_api.max_segments, 3u);
  EXPECT_EQ(off->sms_api.credentials, nullptr) << "read only when the SMS API is the upstream";

  using std::filesystem::perms;
  std::string good = credentialsFile("sms-good", perms::owner_read | perms::owner_write);
  auto on = loadWith(
      "upstream = sms_api\nsms_api_from = +15005550006\n"
      "sms_api_credentials_file = " +
      good + "\n");
  ASSERT_TRUE(on.ok()) << on.error().message;
  ASSERT_NE(on->sms_api.credentials, nullptr);

  auto neither = loadWith("upstream = sms_api\nsms_api_credentials_file = " + good + "\n");
  ASSERT_FALSE(neither.ok());
  EXPECT_NE(neither.error().message.find("exactly one"), std::string::npos)
      << neither.error().message;
  auto both = loadWith(
      "upstream = sms_api\nsms_api_from = +15005550006\n"
      "sms_api_messaging_service_sid = MG123\n"
      "sms_api_credentials_file = " +
      good + "\n");
  EXPECT_FALSE(both.ok());
  auto no_file = loadWith("upstream = sms_api\nsms_api_from = +15005550006\n");
  ASSERT_FALSE(no_file.ok());
  EXPECT_NE(no_file.error().message.find("sms_api_credentials_file"), std::string::npos);

  std::string open = credentialsFile(
      "sms-open", perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
  auto readable = loadWith(
      "upstream = sms_api\nsms_api_from = +15005550006\n"
      "sms_api_credentials_file = " +
      open + "\n");
  ASSERT_FALSE(readable.ok());
  EXPECT_NE(readable.error().message.find("chmod 600"), std::string::npos)
      << readable.error().message;
  EXPECT_EQ(readable.error().message.find("secret"), std::string::npos)
      << "the token never appears in an error";
}

// Staff in the textscreen group run textscreenctl; the file is the daemon user's alone.
TEST(Config, TextscreenctlNeverReadsTheCredentialsFile) {
  using std::filesystem::perms;
  std::string open = credentialsFile(
      "sms-ctl", perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
  for (const std::string& path : {open, ::testing::TempDir() + "sms-no-such-file"}) {
    Invocation inv;
    inv.overrides = {"upstream=sms_api", "sms_api_from=+15005550006",
                     "sms_api_credentials_file=" + path};
    EXPECT_FALSE(loadConfig(inv).ok()) << path;
    inv.read_credentials = false;
    auto ctl = loadConfig(inv);
    ASSERT_TRUE(ctl.ok()) << path << ": " << ctl.error().message;
    EXPECT_EQ(ctl->sms_api.credentials, nullptr);
    inv.overrides.emplace_back("sms_api_messaging_service_sid=MG123");
    EXPECT_FALSE(loadConfig(inv).ok()) << "the keys must still fit together";
  }
}

TEST(Config, SmsApiValuesAreChecked) {
  EXPECT_FALSE(loadWith("upstream = carrier_pigeon\n").ok());
  EXPECT_FALSE(loadWith("sms_api_url = http://api.example.com\n").ok()) << "https only";
  EXPECT_FALSE(loadWith("sms_api_url = https://\n").ok());
  EXPECT_FALSE(loadWith("sms_api_url = https://user:pw@api.example.com\n").ok());
  auto trailing = loadWith("sms_api_url = https://127.0.0.1:8443/\n");
  ASSERT_TRUE(trailing.ok()) << trailing.error().message;
  EXPECT_EQ(trailing->sms_api.url, "https://127.0.0.1:8443");
  EXPECT_FALSE(loadWith("sms_max_segments = 0\n").ok());
  EXPECT_FALSE(loadWith("sms_max_segments = 11\n").ok());
  EXPECT_FALSE(loadWith("sms_api_timeout = 0s\n").ok());
  EXPECT_FALSE(loadWith("sms_template = {subject} {nonsense}\n").ok());
}

}  // namespace
}  // namespace ts
