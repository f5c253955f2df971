// Asks a mail server whether it would accept some recipients, the way a sender verify
// callout does (Exim's, Postfix's verify(8)): greeting, EHLO, MAIL FROM:<>, one RCPT TO per
// address, QUIT, and never DATA. An interface, so the callout check never sees a socket
// and its tests script the server's answers.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/socket_address.h"

namespace ts {

struct SmtpReply {
  int code = 0;      // 0: no reply was read
  std::string text;  // the lines after the code, joined with "; "; may hold an enhanced code

  bool positive() const { return code >= 200 && code < 300; }
  bool permanent() const { return code >= 500 && code < 600; }
};

// What kept the dialog from its end. kNone: every step got its reply (a refusal such as a
// 554 greeting or a 550 to MAIL also ends the dialog, with a QUIT, and is no fault).
enum class ProbeFault { kNone, kConnectFailed, kTimeout, kClosed, kProtocol };

// Where a dialog was when it ended or broke.
enum class ProbeStage { kConnect, kGreeting, kHello, kMail, kRcpt, kQuit };

std::string_view probeFaultName(ProbeFault fault);
std::string_view probeStageName(ProbeStage stage);

struct ProbeReport {
  ProbeFault fault = ProbeFault::kNone;
  ProbeStage stage = ProbeStage::kConnect;
  std::string fault_detail;  // e.g. "Connection refused", "reply line too long"
  SmtpReply greeting;
  SmtpReply hello;  // the EHLO reply, or HELO's after an EHLO 5xx
  SmtpReply mail;
  // One per recipient that got a reply, in order; fewer than asked when the dialog
  // stopped early (a refusal before RCPT, a temporary failure, a fault).
  std::vector<SmtpReply> rcpt;
};

struct ProbeRequest {
  SocketAddress server;                            // numeric: the prober resolves nothing
  std::string helo_name;                           // our host name, for EHLO/HELO
  std::vector<std::string> recipients;             // bare addresses, no angle brackets
  std::chrono::milliseconds wait_timeout{30000};   // connect, and each reply
  std::chrono::milliseconds total_timeout{60000};  // the whole dialog
};

using ProbeDone = std::function<void(ProbeReport)>;

// One probe in flight. Destroying it cancels the probe: the connection is closed and done
// is never called.
class SmtpProbe {
 public:
  virtual ~SmtpProbe() = default;
};

class SmtpProber {
 public:
  virtual ~SmtpProber() = default;
  // Starts a probe. done runs exactly once unless the probe is destroyed first, and never
  // before probe() returns; the owner may destroy the probe from inside done.
  virtual std::unique_ptr<SmtpProbe> probe(const ProbeRequest& request, ProbeDone done) = 0;
};

// The real thing, on the daemon's libevent loop: a non-blocking connect and a bufferevent.
class LibeventSmtpProber final : public SmtpProber {
 public:
  explicit LibeventSmtpProber(event_base* base) : base_(base) {}
  std::unique_ptr<SmtpProbe> probe(const ProbeRequest& request, ProbeDone done) override;

 private:
  event_base* base_;
};

}  // namespace ts
