// Non-blocking socket plus poll() for each step, so a gateway that accepts the
// connection and then says nothing costs at most the configured timeout, never a hang.
#include "gateway_sender.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "util/ascii.h"
#include "util/result.h"

namespace ts::ctl {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxReply = 64 * 1024;

struct Reply {
  int code = 0;
  std::vector<std::string> lines;
  std::string text() const {
    std::string out = std::to_string(code);
    for (std::size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? " " : " / ") + lines[i];
    return out;
  }
};

class SmtpConnection {
 public:
  ~SmtpConnection() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status<> connect(const SocketAddress& to, Duration timeout) {
    fd_ = ::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return fail(fmt::format("socket: {}", std::strerror(errno)));
    if (::connect(fd_, to.sockaddrPtr(), to.length()) != 0 && errno != EINPROGRESS) {
      return fail(
          fmt::format("cannot connect to the gateway {}: {}", to.toString(), std::strerror(errno)));
    }
    if (auto ready = wait(POLLOUT, Clock::now() + timeout); !ready) {
      return fail(fmt::format("cannot connect to the gateway {}: {}", to.toString(),
                              ready.error().message));
    }
    int error = 0;
    socklen_t len = sizeof(error);
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) {
      return fail(
          fmt::format("cannot connect to the gateway {}: {}", to.toString(), std::strerror(error)));
    }
    return Ok{};
  }

  Status<> send(std::string_view data, Duration timeout) {
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return fail(fmt::format("lost the connection to the gateway: {}", std::strerror(errno)));
      }
      if (auto ready = wait(POLLOUT, deadline); !ready) return ready;
    }
    return Ok{};
  }

  Result<Reply> reply(Duration timeout) {
    auto deadline = Clock::now() + timeout;
    Reply r;
    while (true) {
      std::size_t eol = buffer_.find('\n');
      if (eol == std::string::npos) {
        if (buffer_.size() > kMaxReply) return fail(std::string("the gateway's reply is too long"));
        if (auto ready = wait(POLLIN, deadline); !ready) return fail(ready.error());
        char chunk[4096];
        ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n == 0) return fail(std::string("the gateway closed the connection"));
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          return fail(fmt::format("lost the connection to the gateway: {}", std::strerror(errno)));
        }
        if (n > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() < 3 || line.find_first_not_of("0123456789") < 3 ||
          (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        return fail(fmt::format("the gateway does not speak SMTP: '{}'", line.substr(0, 80)));
      }
      r.code = std::stoi(line.substr(0, 3));
      r.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
      if (line.size() == 3 || line[3] == ' ') return r;
    }
  }

  // A command and its reply.
  Result<Reply> command(const std::string& line, Duration timeout) {
    if (auto sent = send(line + "\r\n", timeout); !sent) return fail(sent.error());
    return reply(timeout);
  }

 private:
  Status<> wait(short events, Clock::time_point deadline) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return fail(std::string("timed out"));
      pollfd p{fd_, events, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n > 0) return Ok{};
      if (n < 0 && errno != EINTR) return fail(fmt::format("poll: {}", std::strerror(errno)));
    }
  }

  int fd_ = -1;
  std::string buffer_;
};

bool hasExtension(const Reply& ehlo, std::string_view keyword) {
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::string_view l = ehlo.lines[i];
    if (asciiStartsWithIgnoreCase(l, keyword) &&
        (l.size() == keyword.size() || l[keyword.size()] == ' ')) {
      return true;
    }
  }
  return false;
}

bool isAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::string dotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 50 + 8);
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t eol = message.find('\n', pos);
    std::string_view line =
        message.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? message.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == '.') out.push_back('.');
    out.append(line);
    out.append("\r\n");
  }
  out.append(".\r\n");
  return out;
}

GatewayOutcome sendThroughGateway(const GatewaySettings& s, std::string_view mail_from,
                                  const std::vector<std::string>& recipients,
                                  std::string_view message) {
  GatewayOutcome out;
  SmtpConnection c;
  if (auto ok = c.connect(s.address, s.connect_timeout); !ok) {
    out.reply = ok.error().message;
    return out;
  }
  auto expect = [&](const Result<Reply>& r, int code, std::string_view step) {
    if (!r) {
      out.reply = fmt::format("{}: {}", step, r.error().message);
      return false;
    }
    if (r->code / 100 != code / 100) {
      out.reply = fmt::format("{}: {}", step, r->text());
      return false;
    }
    return true;
  };
  if (!expect(c.reply(s.connect_timeout), 220, "greeting")) return out;
  auto ehlo = c.command("EHLO " + s.helo_name, s.reply_timeout);
  if (ehlo && ehlo->code / 100 == 5) ehlo = c.command("HELO " + s.helo_name, s.reply_timeout);
  if (!expect(ehlo, 250, "EHLO")) return out;
  std::string mail = fmt::format("MAIL FROM:<{}>", mail_from);
  if (!isAscii(message) && hasExtension(*ehlo, "8BITMIME")) mail += " BODY=8BITMIME";
  bool utf8_envelope = !isAscii(mail_from);
  for (const std::string& r : recipients) utf8_envelope = utf8_envelope || !isAscii(r);
  if (utf8_envelope && hasExtension(*ehlo, "SMTPUTF8")) mail += " SMTPUTF8";
  if (!expect(c.command(mail, s.reply_timeout), 250, "MAIL FROM")) return out;
  for (const std::string& r : recipients) {
    auto reply = c.command(fmt::format("RCPT TO:<{}>", r), s.reply_timeout);
    if (!reply) {
      out.reply = fmt::format("RCPT TO:<{}>: {}", r, reply.error().message);
      return out;
    }
    if (reply->code / 100 == 2) {
      out.accepted.push_back(r);
    } else {
      out.refused.push_back(fmt::format("<{}>: {}", r, reply->text()));
      out.reply = fmt::format("RCPT TO:<{}>: {}", r, reply->text());
    }
  }
  if (out.accepted.empty()) {
    (void)c.command("QUIT", s.reply_timeout);
    return out;
  }
  if (!expect(c.command("DATA", s.reply_timeout), 354, "DATA")) return out;
  if (auto sent = c.send(dotStuff(message), s.reply_timeout); !sent) {
    // Part of the message may have gone, but without the final dot the gateway drops it.
    out.reply = "sending the message: " + sent.error().message;
    return out;
  }
  auto final_reply = c.reply(s.reply_timeout);
  if (!final_reply) {
    out.uncertain = true;
    out.reply = "after the message: " + final_reply.error().message;
    return out;
  }
  out.reply = final_reply->text();
  out.delivered = final_reply->code / 100 == 2;
  (void)c.command("QUIT", s.reply_timeout);
  return out;
}

}  // namespace ts::ctl
