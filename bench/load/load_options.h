// Command-line options of textscreen_loadgen, checked once at start so the event loop can
// trust them: addresses are numeric loopback IPv4 and every count and time has a bound.
#pragma once

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ts::load {

struct LoadOptions {
  sockaddr_in server{};
  std::string server_text;
  unsigned sessions = 1;
  unsigned messages_per_connection = 5;
  std::size_t size = 600;
  std::uint64_t total = 1000;
  double time_limit_s = 60;
  double reply_timeout_s = 30;
  double rate = 0;               // messages per second; 0 means closed loop
  std::vector<in_addr> sources;  // empty: the kernel picks the source address
  std::string to = "14155551212@sms.example.net";
  std::string from = "loadgen@example.com";
  std::string helo;  // empty: the address literal of the local end
  bool pipelining = false;
  unsigned idle = 0;  // > 0: hold this many connections idle after EHLO
  bool json = false;
};

struct ParsedOptions {
  std::optional<LoadOptions> options;  // empty when the run should not happen
  std::string message;                 // --help text or the reason for refusing
  int exit_code = 0;
};

ParsedOptions parseLoadOptions(int argc, char** argv);

}  // namespace ts::load
