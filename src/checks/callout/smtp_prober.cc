// The callout's SMTP client: one command at a time (never pipelined, so each reply is
// the answer to the command just sent), one timer re-armed for every wait and capped by
// the whole dialog's deadline, replies bounded in line length and line count. Ending the
// dialog is always the last thing a callback does, because done may destroy the probe.
#include "checks/callout/smtp_prober.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "net/socket_options.h"
#include "util/timeval.h"

namespace ts {
namespace {

// RFC 5321 4.5.3.1.5 allows 512 octets per reply line; servers exceed it a little, a
// hostile one a lot, so a line beyond this ends the probe.
constexpr std::size_t kMaxReplyLine = 1000;
constexpr std::size_t kMaxReplyLines = 100;
constexpr std::size_t kMaxReplyText = 2000;  // kept per reply, for the log and the reason
// Reading stops while this much is buffered: the reader drains whole lines, so only a
// server that talks out of turn or sends an endless line fills it.
constexpr std::size_t kReadHighWater = 16 * 1024;

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// A command argument must not end the line early or close the angle brackets: the
// addresses come from a client's MAIL FROM.
bool safeArgument(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '<' || c == '>') return false;
  }
  return true;
}

class ProbeConnection final : public SmtpProbe {
 public:
  ProbeConnection(event_base* base, const ProbeRequest& request, ProbeDone done)
      : base_(base), request_(request), done_(std::move(done)) {}

  ~ProbeConnection() override { release(); }
  ProbeConnection(const ProbeConnection&) = delete;
  ProbeConnection& operator=(const ProbeConnection&) = delete;

  void start() {
    deadline_ = std::chrono::steady_clock::now() + request_.total_timeout;
    timer_ = evtimer_new(base_, onTimer, this);
    bool safe = safeArgument(request_.helo_name);
    for (const std::string& r : request_.recipients) safe = safe && safeArgument(r);
    if (!safe) {
      failSoon(ProbeFault::kProtocol, "refused to send a command with unsafe characters");
      return;
    }
    bev_ = bufferevent_socket_new(base_, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev_) {
      failSoon(ProbeFault::kConnectFailed, "cannot create a socket");
      return;
    }
    bufferevent_setcb(bev_, onRead, nullptr, onEvent, this);
    bufferevent_setwatermark(bev_, EV_READ, 0, kReadHighWater);
    bufferevent_enable(bev_, EV_READ);
    if (bufferevent_socket_connect(bev_, request_.server.sockaddrPtr(),
                                   static_cast<int>(request_.server.length())) != 0) {
      failSoon(ProbeFault::kConnectFailed, errnoText("connect failed"));
      return;
    }
    armWait();
  }

 private:
  enum class Wait { kConnect, kGreeting, kEhlo, kHelo, kMail, kRcpt, kQuit };

  static std::string errnoText(const char* otherwise) {
    int e = EVUTIL_SOCKET_ERROR();
    return e != 0 ? evutil_socket_error_to_string(e) : otherwise;
  }

  ProbeStage stage() const {
    switch (wait_) {
      case Wait::kConnect:
        return ProbeStage::kConnect;
      case Wait::kGreeting:
        return ProbeStage::kGreeting;
      case Wait::kEhlo:
      case Wait::kHelo:
        return ProbeStage::kHello;
      case Wait::kMail:
        return ProbeStage::kMail;
      case Wait::kRcpt:
        return ProbeStage::kRcpt;
      case Wait::kQuit:
        return ProbeStage::kQuit;
    }
    return ProbeStage::kConnect;
  }

  // Reported from the loop, never from inside probe(): the caller holds no handle yet.
  void failSoon(ProbeFault fault, std::string detail) {
    closeConnection();
    pending_fault_ = fault;
    pending_detail_ = std::move(detail);
    timeval now{};
    evtimer_add(timer_, &now);
  }

  void armWait() {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    timeval tv = toTimeval(std::clamp(left, std::chrono::milliseconds(0), request_.wait_timeout));
    evtimer_add(timer_, &tv);
  }

  void send(std::string line) {
    line.append("\r\n");
    evbuffer_add(bufferevent_get_output(bev_), line.data(), line.size());
    armWait();
  }

  // Reads one reply if a whole one is buffered. False: the server broke the protocol.
  bool readReply(SmtpReply& reply, bool& complete, std::string& why) {
    complete = false;
    evbuffer* in = bufferevent_get_input(bev_);
    while (true) {
      std::size_t len = 0;
      char* raw = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
      if (!raw) {
        if (evbuffer_get_length(in) <= kMaxReplyLine) return true;
        why = "reply line too long";
        return false;
      }
      std::string line(raw, len);
      std::free(raw);
      if (len > kMaxReplyLine) {
        why = "reply line too long";
        return false;
      }
      if (len < 3 || !isDigit(line[0]) || !isDigit(line[1]) || !isDigit(line[2]) ||
          (len > 3 && line[3] != ' ' && line[3] != '-')) {
        why = "not an SMTP reply";
        return false;
      }
      int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      if (partial_lines_ > 0 && code != partial_.code) {
        why = "reply code changed inside a multi-line reply";
        return false;
      }
      if (++partial_lines_ > kMaxReplyLines) {
        why = "too many reply lines";
        return false;
      }
      partial_.code = code;
      if (len > 4) {
        if (!partial_.text.empty()) partial_.text.append("; ");
        partial_.text.append(line, 4, std::string::npos);
        if (partial_.text.size() > kMaxReplyText) partial_.text.resize(kMaxReplyText);
      }
      if (len > 3 && line[3] == '-') continue;
      reply = std::move(partial_);
      partial_ = SmtpReply{};
      partial_lines_ = 0;
      complete = true;
      return true;
    }
  }

  // Returns false when the dialog ended: this object may be gone.
  bool onReply(SmtpReply reply) {
    switch (wait_) {
      case Wait::kConnect:
        break;
      case Wait::kGreeting:
        report_.greeting = std::move(reply);
        if (report_.greeting.code != 220) return quit();
        wait_ = Wait::kEhlo;
        send("EHLO " + request_.helo_name);
        return true;
      case Wait::kEhlo:
        report_.hello = std::move(reply);
        if (report_.hello.positive()) return mailFrom();
        if (!report_.hello.permanent()) return quit();
        // An old server without ESMTP says 500/502 to EHLO (RFC 5321 4.1.1.1).
        wait_ = Wait::kHelo;
        send("HELO " + request_.helo_name);
        return true;
      case Wait::kHelo:
        report_.hello = std::move(reply);
        if (report_.hello.positive()) return mailFrom();
        return quit();
      case Wait::kMail:
        report_.mail = std::move(reply);
        if (!report_.mail.positive()) return quit();
        return nextRcpt();
      case Wait::kRcpt: {
        bool temporary = !reply.positive() && !reply.permanent();
        report_.rcpt.push_back(std::move(reply));
        // A temporary failure (greylisting, a busy server) says nothing about the next
        // address either; asking on only adds load to a struggling server.
        if (temporary) return quit();
        return nextRcpt();
      }
      case Wait::kQuit:
        finish(ProbeFault::kNone, {});
        return false;
    }
    return true;
  }

  bool mailFrom() {
    wait_ = Wait::kMail;
    send("MAIL FROM:<>");
    return true;
  }

  bool nextRcpt() {
    std::size_t next = report_.rcpt.size();
    if (next >= request_.recipients.size()) return quit();
    wait_ = Wait::kRcpt;
    send("RCPT TO:<" + request_.recipients[next] + ">");
    return true;
  }

  bool quit() {
    wait_ = Wait::kQuit;
    send("QUIT");
    return true;
  }

  void readable() {
    while (true) {
      SmtpReply reply;
      bool complete = false;
      std::string why;
      if (!readReply(reply, complete, why)) {
        finishOrAccept(ProbeFault::kProtocol, why);
        return;
      }
      if (!complete) return;
      if (!onReply(std::move(reply))) return;
      // Without PIPELINING a server answers only what it was asked; more bytes now would
      // be read as the answer to the command just sent.
      if (evbuffer_get_length(bufferevent_get_input(bev_)) > 0) {
        finishOrAccept(ProbeFault::kProtocol, "the server spoke out of turn");
        return;
      }
    }
  }

  // After QUIT was sent every answer is in: whatever goes wrong now is no fault.
  void finishOrAccept(ProbeFault fault, std::string detail) {
    if (wait_ == Wait::kQuit) {
      finish(ProbeFault::kNone, {});
    } else {
      finish(fault, std::move(detail));
    }
  }

  void connectionEvent(short what) {
    if (what & BEV_EVENT_CONNECTED) {
      wait_ = Wait::kGreeting;
      setNoDelay(bufferevent_getfd(bev_));
      armWait();
      return;
    }
    if (!(what & (BEV_EVENT_ERROR | BEV_EVENT_EOF))) return;
    if (wait_ == Wait::kConnect) {
      finish(ProbeFault::kConnectFailed, errnoText("connection failed"));
      return;
    }
    finishOrAccept(ProbeFault::kClosed, (what & BEV_EVENT_ERROR)
                                            ? errnoText("connection lost")
                                            : std::string("the server closed the connection"));
  }

  void timeout() {
    if (pending_fault_) {
      finish(*pending_fault_, pending_detail_);
      return;
    }
    finishOrAccept(ProbeFault::kTimeout, "no answer in time");
  }

  void closeConnection() {
    if (bev_) {
      bufferevent_free(bev_);
      bev_ = nullptr;
    }
  }

  void release() {
    closeConnection();
    if (timer_) {
      event_free(timer_);
      timer_ = nullptr;
    }
  }

  // The very last thing any path does: done may destroy this probe.
  void finish(ProbeFault fault, std::string detail) {
    closeConnection();
    evtimer_del(timer_);
    report_.fault = fault;
    report_.stage = stage();
    report_.fault_detail = std::move(detail);
    ProbeReport report = std::move(report_);
    ProbeDone done = std::move(done_);
    done(std::move(report));
  }

  static void onRead(bufferevent*, void* self) { static_cast<ProbeConnection*>(self)->readable(); }
  static void onEvent(bufferevent*, short what, void* self) {
    static_cast<ProbeConnection*>(self)->connectionEvent(what);
  }
  static void onTimer(evutil_socket_t, short, void* self) {
    static_cast<ProbeConnection*>(self)->timeout();
  }

  event_base* base_;
  ProbeRequest request_;
  ProbeDone done_;
  bufferevent* bev_ = nullptr;
  event* timer_ = nullptr;
  std::chrono::steady_clock::time_point deadline_;
  Wait wait_ = Wait::kConnect;
  ProbeReport report_;
  SmtpReply partial_;  // a multi-line reply being read
  std::size_t partial_lines_ = 0;
  std::optional<ProbeFault> pending_fault_;  // found inside start(), reported from the loop
  std::string pending_detail_;
};

}  // namespace

std::string_view probeFaultName(ProbeFault fault) {
  switch (fault) {
    case ProbeFault::kNone:
      return "none";
    case ProbeFault::kConnectFailed:
      return "connect-failed";
    case ProbeFault::kTimeout:
      return "timeout";
    case ProbeFault::kClosed:
      return "closed";
    case ProbeFault::kProtocol:
      return "protocol";
  }
  return "none";
}

std::string_view probeStageName(ProbeStage stage) {
  switch (stage) {
    case ProbeStage::kConnect:
      return "connect";
    case ProbeStage::kGreeting:
      return "greeting";
    case ProbeStage::kHello:
      return "hello";
    case ProbeStage::kMail:
      return "mail";
    case ProbeStage::kRcpt:
      return "rcpt";
    case ProbeStage::kQuit:
      return "quit";
  }
  return "connect";
}

std::unique_ptr<SmtpProbe> LibeventSmtpProber::probe(const ProbeRequest& request, ProbeDone done) {
  auto probe = std::make_unique<ProbeConnection>(base_, request, std::move(done));
  probe->start();
  return probe;
}

}  // namespace ts
