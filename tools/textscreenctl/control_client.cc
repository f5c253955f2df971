// Bounded by a 5 s timeout each way: a hung daemon must not hang the operator's shell.
#include "control_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "cli_context.h"

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

std::optional<nlohmann::json> askDaemon(const std::string& path, const std::string& request) {
  std::string error;
  bool not_running = false;
  std::string answer = ask(path, request, error, not_running);
  if (answer.empty()) {
    failure(not_running ? fmt::format("textscreen is not running ({}): start it (systemctl start "
                                      "textscreen), or give the running daemon's file with "
                                      "--config FILE",
                                      error)
                        : error);
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(answer, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    failure(fmt::format("the daemon's answer is not a JSON object: {}", answer.substr(0, 200)));
    return std::nullopt;
  }
  if (j.contains("error")) {
    failure(fmt::format("the daemon says: {}", j["error"].dump()));
    return std::nullopt;
  }
  return j;
}

}  // namespace ts::ctl
