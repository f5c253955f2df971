// Non-blocking socket plus poll() for each step, so a gateway that accepts the
// connection and then says nothing costs at most the configured timeout, never a hang.
// After STARTTLS the same loop drives OpenSSL: a call that wants to read or write waits
// in poll() for the socket and is repeated.
#include "gateway_sender.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "net/openssl_errors.h"
#include "relay/dot_stuffing.h"
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

// OpenSSL writes to the socket with write(), not send(MSG_NOSIGNAL): without this a
// gateway that closes during a TLS write would kill the CLI by SIGPIPE, leaving the
// message marked as being released. Only around the send, so that elsewhere a closed
// stdout still ends the CLI quietly.
class SigpipeIgnored {
 public:
  SigpipeIgnored() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, &previous_);
  }
  ~SigpipeIgnored() { ::sigaction(SIGPIPE, &previous_, nullptr); }
  SigpipeIgnored(const SigpipeIgnored&) = delete;
  SigpipeIgnored& operator=(const SigpipeIgnored&) = delete;

 private:
  struct sigaction previous_ {};
};

class SmtpConnection {
 public:
  ~SmtpConnection() {
    if (ssl_) SSL_free(ssl_);
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

  // After the gateway's 220 to STARTTLS: the handshake, and with verify the certificate.
  Status<> startTls(const GatewayTlsContext& tls, Duration timeout) {
    // Anything after the 220 came before TLS and must not be read as if it came after.
    if (!buffer_.empty())
      return fail(std::string("the gateway sent more after its 220 to STARTTLS"));
    ERR_clear_error();
    ssl_ = tls.newSsl();
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1)
      return fail("cannot set up TLS: " + takeOpensslErrors());
    auto deadline = Clock::now() + timeout;
    while (true) {
      ERR_clear_error();
      int rc = SSL_connect(ssl_);
      if (rc == 1) break;
      auto again = awaitSsl(rc, deadline);
      if (!again) {
        return fail("the TLS handshake " + (again.error().message == kTimedOut
                                                ? "timed out (gateway_connect_timeout)"
                                                : "failed: " + again.error().message));
      }
      if (*again) continue;
      if (std::string refused = tls.certificateRefusal(ssl_); !refused.empty()) {
        return fail(refused);
      }
      return fail("the TLS handshake failed: " + takeOpensslErrors());
    }
    if (std::string refused = tls.certificateRefusal(ssl_); !refused.empty()) return fail(refused);
    return Ok{};
  }

  // "TLSv1.3 TLS_AES_256_GCM_SHA384, verified yes", or empty before STARTTLS.
  std::string tlsText() const {
    if (!ssl_) return "";
    return fmt::format("{} {}, verified {}", SSL_get_version(ssl_), SSL_get_cipher_name(ssl_),
                       GatewayTlsContext::verifiedText(ssl_));
  }

  Status<> send(std::string_view data, Duration timeout) {
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
      auto n = writeSome(data, deadline);
      if (!n) return fail(n.error());
      data.remove_prefix(*n);
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
        char chunk[4096];
        auto n = readSome(chunk, sizeof(chunk), deadline);
        if (!n) return fail(n.error());
        if (*n == 0) return fail(std::string("the gateway closed the connection"));
        buffer_.append(chunk, *n);
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
  static constexpr std::string_view kTimedOut = "timed out";

  // Bytes read, 0 when the gateway closed the connection.
  Result<std::size_t> readSome(char* into, std::size_t size, Clock::time_point deadline) {
    while (true) {
      if (ssl_) {
        ERR_clear_error();
        int n = SSL_read(ssl_, into, static_cast<int>(size));
        if (n > 0) return static_cast<std::size_t>(n);
        if (SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN) return std::size_t{0};
        auto again = awaitSsl(n, deadline);
        if (!again) return fail(again.error());
        if (!*again) return fail("lost the TLS connection to the gateway: " + takeOpensslErrors());
        continue;
      }
      ssize_t n = ::recv(fd_, into, size, 0);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        return fail(fmt::format("lost the connection to the gateway: {}", std::strerror(errno)));
      }
      if (auto ready = wait(POLLIN, deadline); !ready) return fail(ready.error());
    }
  }

  Result<std::size_t> writeSome(std::string_view data, Clock::time_point deadline) {
    while (true) {
      if (ssl_) {
        ERR_clear_error();
        int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
        if (n > 0) return static_cast<std::size_t>(n);
        auto again = awaitSsl(n, deadline);
        if (!again) return fail(again.error());
        if (!*again) return fail("lost the TLS connection to the gateway: " + takeOpensslErrors());
        continue;
      }
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) return static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return fail(fmt::format("lost the connection to the gateway: {}", std::strerror(errno)));
      }
      if (auto ready = wait(POLLOUT, deadline); !ready) return fail(ready.error());
    }
  }

  // After an OpenSSL call returned rc: true once the socket is ready for the call to be
  // repeated, false when it failed for good (its reasons are on OpenSSL's error queue).
  Result<bool> awaitSsl(int rc, Clock::time_point deadline) {
    int error = SSL_get_error(ssl_, rc);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return false;
    if (auto ready = wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline); !ready) {
      return fail(ready.error());
    }
    return true;
  }

  Status<> wait(short events, Clock::time_point deadline) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return fail(std::string(kTimedOut));
      pollfd p{fd_, events, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n > 0) return Ok{};
      if (n < 0 && errno != EINTR) return fail(fmt::format("poll: {}", std::strerror(errno)));
    }
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
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

// Why r is not the reply a step needs, or empty when it is.
std::string replyProblem(const Result<Reply>& r, int code, std::string_view step) {
  if (!r) return fmt::format("{}: {}", step, r.error().message);
  if (r->code / 100 != code / 100) return fmt::format("{}: {}", step, r->text());
  return "";
}

std::string tlsRefusal(const GatewayTlsContext& tls, std::string_view reason) {
  return fmt::format("gateway_tls = {} needs TLS, but {}", gatewayTlsLevelName(tls.level()),
                     reason);
}

// A session ready for MAIL: the EHLO (or HELO) reply the mail goes out under, or why
// no mail may go.
struct OpenSession {
  std::optional<Reply> hello;
  std::string error;
  // The TLS handshake failed: with gateway_tls = may, one new plaintext connection.
  bool handshake_failed = false;
  std::string plaintext_reason;  // why a session that tried TLS goes on without it
};

// The daemon's relay does the same steps (src/relay/gateway_connection.cc): STARTTLS
// when offered unless tls is null, required with encrypt and verify.
OpenSession openSession(SmtpConnection& c, const GatewaySettings& s, const GatewayTlsContext* tls) {
  OpenSession o;
  auto failed = [&o](std::string why) {
    o.error = std::move(why);
    return std::move(o);
  };
  if (auto ok = c.connect(s.address, s.connect_timeout); !ok) return failed(ok.error().message);
  if (auto why = replyProblem(c.reply(s.connect_timeout), 220, "greeting"); !why.empty()) {
    return failed(why);
  }
  auto ehlo = c.command("EHLO " + s.helo_name, s.reply_timeout);
  if (ehlo && ehlo->code / 100 == 5) {
    auto helo = c.command("HELO " + s.helo_name, s.reply_timeout);
    if (auto why = replyProblem(helo, 250, "HELO"); !why.empty()) return failed(why);
    if (tls && tls->required()) {
      return failed(tlsRefusal(*tls, "the gateway refused EHLO, so it offers no STARTTLS"));
    }
    o.hello = std::move(*helo);
    return o;
  }
  if (auto why = replyProblem(ehlo, 250, "EHLO"); !why.empty()) return failed(why);
  if (!tls) {
    o.hello = std::move(*ehlo);
    return o;
  }
  if (!hasExtension(*ehlo, "STARTTLS")) {
    if (tls->required()) return failed(tlsRefusal(*tls, "the gateway did not offer STARTTLS"));
    o.plaintext_reason = "the gateway did not offer STARTTLS";
    o.hello = std::move(*ehlo);
    return o;
  }
  auto starttls = c.command("STARTTLS", s.reply_timeout);
  if (!starttls) return failed("STARTTLS: " + starttls.error().message);
  if (starttls->code != 220) {
    std::string why = "the gateway refused STARTTLS: " + starttls->text();
    if (tls->required()) return failed(tlsRefusal(*tls, why));
    // RFC 3207 section 4: after a refused STARTTLS the session goes on as before it.
    o.plaintext_reason = std::move(why);
    o.hello = std::move(*ehlo);
    return o;
  }
  if (auto secured = c.startTls(*tls, s.connect_timeout); !secured) {
    o.handshake_failed = true;
    return failed(tls->required() ? tlsRefusal(*tls, secured.error().message)
                                  : secured.error().message);
  }
  // RFC 3207 section 4.2: what the gateway offered before TLS no longer counts.
  auto again = c.command("EHLO " + s.helo_name, s.reply_timeout);
  if (auto why = replyProblem(again, 250, "EHLO after STARTTLS"); !why.empty()) return failed(why);
  o.hello = std::move(*again);
  return o;
}

}  // namespace

GatewayOutcome sendThroughGateway(const GatewaySettings& s, std::string_view mail_from,
                                  const std::vector<std::string>& recipients,
                                  std::string_view message) {
  GatewayOutcome out;
  SigpipeIgnored sigpipe_ignored;
  auto c = std::make_unique<SmtpConnection>();
  OpenSession session = openSession(*c, s, s.tls.get());
  if (session.handshake_failed && !s.tls->required()) {
    // The TLS state is unknown after a failed handshake: plaintext needs a new connection.
    session.plaintext_reason = session.error;
    c = std::make_unique<SmtpConnection>();
    OpenSession plain = openSession(*c, s, nullptr);
    plain.plaintext_reason = std::move(session.plaintext_reason);
    session = std::move(plain);
  }
  if (!session.hello) {
    out.reply = session.error;
    return out;
  }
  out.tls = c->tlsText();
  out.plaintext_reason = session.plaintext_reason;
  const Reply& ehlo = *session.hello;
  auto expect = [&](const Result<Reply>& r, int code, std::string_view step) {
    std::string problem = replyProblem(r, code, step);
    if (problem.empty()) return true;
    out.reply = std::move(problem);
    return false;
  };
  std::string mail = fmt::format("MAIL FROM:<{}>", mail_from);
  if (!isAscii(message) && hasExtension(ehlo, "8BITMIME")) mail += " BODY=8BITMIME";
  bool utf8_envelope = !isAscii(mail_from);
  for (const std::string& r : recipients) utf8_envelope = utf8_envelope || !isAscii(r);
  if (utf8_envelope && hasExtension(ehlo, "SMTPUTF8")) mail += " SMTPUTF8";
  if (!expect(c->command(mail, s.reply_timeout), 250, "MAIL FROM")) return out;
  for (const std::string& r : recipients) {
    auto reply = c->command(fmt::format("RCPT TO:<{}>", r), s.reply_timeout);
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
    (void)c->command("QUIT", s.reply_timeout);
    return out;
  }
  if (!expect(c->command("DATA", s.reply_timeout), 354, "DATA")) return out;
  if (auto sent = c->send(dotStuff(message), s.reply_timeout); !sent) {
    // Part of the message may have gone, but without the final dot the gateway drops it.
    out.reply = "sending the message: " + sent.error().message;
    return out;
  }
  auto final_reply = c->reply(s.reply_timeout);
  if (!final_reply) {
    out.uncertain = true;
    out.reply = "after the message: " + final_reply.error().message;
    return out;
  }
  out.reply = final_reply->text();
  out.delivered = final_reply->code / 100 == 2;
  (void)c->command("QUIT", s.reply_timeout);
  return out;
}

}  // namespace ts::ctl
