// Boost.Program_options reports errors by throwing; they are caught here, before the loop
// starts, and turned into one line naming the bad option.
#include "load_options.h"

#include <arpa/inet.h>
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

namespace ts::load {
namespace {

namespace po = boost::program_options;

// Bounds that keep a typo from exhausting the machine; raise them when a test needs it.
constexpr unsigned kMaxSessions = 20000;
constexpr std::size_t kMaxSize = 64 * 1024 * 1024;
constexpr std::uint64_t kMaxTotal = 100'000'000;
constexpr double kMaxTimeLimit = 24 * 3600;
constexpr std::uint32_t kMaxSources = 65536;

// The load generator only ever talks to this host: a mistyped address must not turn it
// loose on someone's real mail server.
bool isLoopback(in_addr a) {
  return (ntohl(a.s_addr) >> 24) == 127;
}

std::optional<in_addr> parseLoopback(const std::string& text) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1 || !isLoopback(a)) return std::nullopt;
  return a;
}

std::optional<std::string> parseServer(const std::string& text, LoadOptions& out) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return "--server must be HOST:PORT";
  auto host = parseLoopback(text.substr(0, colon));
  if (!host) return "--server host must be a numeric address in 127.0.0.0/8";
  const std::string port_text = text.substr(colon + 1);
  char* end = nullptr;
  unsigned long port = std::strtoul(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port == 0 || port > 65535) {
    return "--server port must be 1-65535";
  }
  out.server.sin_family = AF_INET;
  out.server.sin_addr = *host;
  out.server.sin_port = htons(static_cast<std::uint16_t>(port));
  out.server_text = text;
  return std::nullopt;
}

std::optional<std::string> parseSourceRange(const std::string& text, LoadOptions& out) {
  std::size_t dash = text.find('-');
  auto first = parseLoopback(text.substr(0, dash));
  auto last = dash == std::string::npos ? first : parseLoopback(text.substr(dash + 1));
  if (!first || !last) return "--source-range must be FIRST-LAST, both in 127.0.0.0/8";
  std::uint32_t lo = ntohl(first->s_addr);
  std::uint32_t hi = ntohl(last->s_addr);
  if (lo > hi || hi - lo >= kMaxSources) {
    return fmt::format("--source-range must be ascending and at most {} addresses", kMaxSources);
  }
  for (std::uint32_t a = lo; a <= hi; ++a) out.sources.push_back(in_addr{htonl(a)});
  return std::nullopt;
}

std::optional<std::string> check(const LoadOptions& o) {
  if (o.sessions == 0 || o.sessions > kMaxSessions) {
    return fmt::format("--sessions must be 1-{}", kMaxSessions);
  }
  if (o.idle > kMaxSessions) return fmt::format("--idle must be at most {}", kMaxSessions);
  if (o.messages_per_connection == 0) return "--messages-per-connection must be at least 1";
  if (o.size == 0 || o.size > kMaxSize) return fmt::format("--size must be 1-{}", kMaxSize);
  if (o.total == 0 || o.total > kMaxTotal) return fmt::format("--total must be 1-{}", kMaxTotal);
  if (!(o.time_limit_s > 0 && o.time_limit_s <= kMaxTimeLimit)) {
    return fmt::format("--time-limit must be in (0, {}] seconds", kMaxTimeLimit);
  }
  if (!(o.reply_timeout_s > 0 && o.reply_timeout_s <= kMaxTimeLimit)) {
    return "--reply-timeout must be positive";
  }
  if (!(o.rate >= 0 && o.rate <= 1e7)) return "--rate must be 0 (closed loop) to 10000000";
  // These go into SMTP commands verbatim; a CR or LF would inject another command.
  for (std::string_view s :
       {std::string_view(o.to), std::string_view(o.from), std::string_view(o.helo)}) {
    if (s.find_first_of("\r\n<> ") != std::string_view::npos) {
      return "--to, --from and --helo must not contain spaces, angle brackets or line breaks";
    }
  }
  return std::nullopt;
}

}  // namespace

ParsedOptions parseLoadOptions(int argc, char** argv) {
  LoadOptions o;
  std::string server;
  std::string source_range;
  po::options_description desc(
      "textscreen_loadgen: sends SMTP messages to a server on this host and reports\n"
      "throughput and latency.\nExit status: 0 all messages accepted; 1 some failed (or idle\n"
      "connections were lost); 2 bad options; 3 not every message was sent (time limit,\n"
      "or the server could not be reached).\nOptions");
  auto add = desc.add_options();
  add("help,h", "this text");
  add("server", po::value(&server)->required(), "HOST:PORT of the SMTP server (127.0.0.0/8)");
  add("sessions", po::value(&o.sessions)->default_value(o.sessions), "concurrent connections");
  add("messages-per-connection",
      po::value(&o.messages_per_connection)->default_value(o.messages_per_connection),
      "messages sent on one connection before QUIT and reconnect");
  add("size", po::value(&o.size)->default_value(o.size), "message size in bytes");
  add("total", po::value(&o.total)->default_value(o.total), "exact number of messages to send");
  add("time-limit", po::value(&o.time_limit_s)->default_value(o.time_limit_s),
      "hard bound in seconds; what finished by then is reported");
  add("reply-timeout", po::value(&o.reply_timeout_s)->default_value(o.reply_timeout_s),
      "seconds to wait for any one reply or for connect");
  add("rate", po::value(&o.rate)->default_value(o.rate),
      "open-loop pacing in messages/s (0: closed loop); latency then counts from each "
      "message's scheduled start");
  add("source-range", po::value(&source_range),
      "FIRST-LAST source addresses, bound round-robin per connection");
  add("to", po::value(&o.to)->default_value(o.to), "recipient address");
  add("from", po::value(&o.from)->default_value(o.from), "envelope sender address");
  add("helo", po::value(&o.helo), "EHLO name (default: address literal of the local end)");
  add("pipelining", po::bool_switch(&o.pipelining),
      "send MAIL, RCPT and DATA in one write when the server offers PIPELINING");
  add("idle", po::value(&o.idle)->default_value(o.idle),
      "open this many connections, EHLO, and hold them idle until the time limit");
  add("json", po::bool_switch(&o.json), "print the report as one JSON object");

  ParsedOptions out;
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help") != 0) {
      std::ostringstream text;
      text << desc;
      out.message = text.str();
      return out;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    out.message = e.what();
    out.exit_code = 2;
    return out;
  }
  auto error = parseServer(server, o);
  if (!error && !source_range.empty()) error = parseSourceRange(source_range, o);
  if (!error) error = check(o);
  if (error) {
    out.message = *error;
    out.exit_code = 2;
    return out;
  }
  out.options = std::move(o);
  return out;
}

}  // namespace ts::load
