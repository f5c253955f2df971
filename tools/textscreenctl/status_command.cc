// `textscreenctl status`: asks the running daemon over its control socket (DESIGN.md
// "The control socket") for live state that is not in the store: config generation,
// uptime, connections, store size.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "command_line.h"
#include "commands.h"
#include "time_text.h"

namespace ts::ctl {
namespace {

constexpr int kTimeoutMs = 5000;

class UnixSocket {
 public:
  ~UnixSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd_ = -1;
};

// One request line, one line back; an empty result with the reason in error.
std::string ask(const std::string& path, const std::string& request, std::string& error,
                bool& not_running) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    error = fmt::format("control socket path {} is too long", path);
    return {};
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UnixSocket s;
  s.fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.fd_ < 0) {
    error = fmt::format("socket: {}", std::strerror(errno));
    return {};
  }
  if (::connect(s.fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    not_running = e == ENOENT || e == ECONNREFUSED;
    error = e == ENOENT         ? fmt::format("no control socket at {}", path)
            : e == ECONNREFUSED ? fmt::format("nothing listens on the control socket {}", path)
                                : fmt::format("cannot connect to {}: {}", path, std::strerror(e));
    return {};
  }
  timeval tv{kTimeoutMs / 1000, 0};
  ::setsockopt(s.fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(s.fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  std::string line = request + "\n";
  if (::send(s.fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    error = fmt::format("cannot send to {}: {}", path, std::strerror(errno));
    return {};
  }
  std::string answer;
  char buf[4096];
  while (answer.find('\n') == std::string::npos && answer.size() < (1 << 20)) {
    ssize_t n = ::recv(s.fd_, buf, sizeof(buf), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      error =
          errno == EAGAIN || errno == EWOULDBLOCK
              ? fmt::format("the daemon did not answer on {} within {}s", path, kTimeoutMs / 1000)
              : fmt::format("reading {}: {}", path, std::strerror(errno));
      return {};
    }
    answer.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t eol = answer.find('\n');
  if (eol != std::string::npos) answer.resize(eol);
  if (answer.empty()) error = fmt::format("the daemon closed {} without an answer", path);
  return answer;
}

}  // namespace

int runStatus(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"status", "",
                   "Asks the running daemon for its state: configuration generation, uptime, "
                   "connections, store size, quarantined messages, decisions kept.",
                   0, 0};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  const Config* config = ctx.config();
  if (!config) return kExitFailure;
  std::string path = config->controlSocketPath();
  std::string error;
  bool not_running = false;
  std::string answer = ask(path, "status", error, not_running);
  if (answer.empty()) {
    if (not_running) return failure(fmt::format("textscreen is not running ({})", error));
    return failure(error);
  }
  nlohmann::json j = nlohmann::json::parse(answer, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return failure(
        fmt::format("the daemon's answer is not a JSON object: {}", answer.substr(0, 200)));
  }
  if (j.contains("error")) return failure(fmt::format("the daemon says: {}", j["error"].dump()));
  if (ctx.json()) {
    fmt::print("{}\n", answer);
    return kExitOk;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string value = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    if (it.key() == "uptime_seconds" && it.value().is_number_integer()) {
      value += fmt::format(" ({})", formatAge(it.value().get<std::int64_t>()));
    }
    fmt::print("{:<20} {}\n", it.key() + ":", value);
  }
  return kExitOk;
}

}  // namespace ts::ctl
