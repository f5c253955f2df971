// One step per reply, in the order textscreenctl's blocking sender takes them: MAIL,
// each RCPT, DATA, the message, QUIT. The delivery keeps itself alive through the
// handlers it gives its connection; every handler is called once (a reply or a failure
// within the configured timeouts), so both are freed once the last reply is in.
#include "relay/held_mail_delivery.h"

#include <fmt/format.h>

#include <memory>

#include "relay/dot_stuffing.h"

namespace ts {
namespace {

bool isAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string replyText(const GatewayReply& r) {
  std::string out = std::to_string(r.code);
  if (!r.enhanced.empty()) out += " " + r.enhanced;
  if (!r.lines.empty() && !r.text().empty()) out += " " + r.text();
  return out;
}

class HeldMailDelivery : public std::enable_shared_from_this<HeldMailDelivery> {
 public:
  HeldMailDelivery(event_base* base, const GatewaySettings& settings, HeldMail mail,
                   std::function<void(HeldMailOutcome)> done)
      : base_(base), settings_(settings), mail_(std::move(mail)), done_(std::move(done)) {}

  void start() {
    conn_ = GatewayConnection::open(base_, settings_);
    bool utf8_envelope = !isAscii(mail_.mail_from);
    for (const std::string& r : mail_.recipients) utf8_envelope = utf8_envelope || !isAscii(r);
    conn_->mailFrom(mail_.mail_from, !isAscii(mail_.message), utf8_envelope,
                    [self = shared_from_this()](const GatewayReply& r) { self->onMail(r); });
  }

 private:
  // Why r is not a reply of the class wanted, or empty when it is.
  std::string problem(const GatewayReply& r, int code, std::string_view step) const {
    switch (r.failure) {
      case GatewayReply::Failure::kUnreachable:
        return fmt::format(
            "{}: cannot reach the gateway {} (or gateway_tls forbade the connection it offered; "
            "the daemon's log says which)",
            step, settings_.address.toString());
      case GatewayReply::Failure::kTimeout:
        return fmt::format("{}: the gateway did not answer in time", step);
      case GatewayReply::Failure::kLost:
        return fmt::format("{}: lost the connection to the gateway", step);
      case GatewayReply::Failure::kNone:
        break;
    }
    if (r.code / 100 != code / 100) return fmt::format("{}: {}", step, replyText(r));
    return "";
  }

  void onMail(const GatewayReply& r) {
    if (std::string why = problem(r, 250, "MAIL FROM"); !why.empty()) return finish(why);
    nextRecipient();
  }

  void nextRecipient() {
    if (next_ == mail_.recipients.size()) return afterRecipients();
    conn_->command(fmt::format("RCPT TO:<{}>", mail_.recipients[next_]),
                   [self = shared_from_this()](const GatewayReply& r) { self->onRecipient(r); });
  }

  void onRecipient(const GatewayReply& r) {
    const std::string& rcpt = mail_.recipients[next_++];
    std::string step = fmt::format("RCPT TO:<{}>", rcpt);
    if (r.failure != GatewayReply::Failure::kNone) return finish(problem(r, 250, step));
    if (r.positive()) {
      outcome_.accepted.push_back(rcpt);
    } else {
      outcome_.refused.push_back(fmt::format("<{}>: {}", rcpt, replyText(r)));
      outcome_.reply = fmt::format("{}: {}", step, replyText(r));
    }
    nextRecipient();
  }

  void afterRecipients() {
    if (outcome_.accepted.empty()) return finish(outcome_.reply);
    conn_->command("DATA", [self = shared_from_this()](const GatewayReply& r) { self->onData(r); });
  }

  void onData(const GatewayReply& r) {
    if (std::string why = problem(r, 354, "DATA"); !why.empty()) return finish(why);
    conn_->stuffedMessage(
        dotStuff(mail_.message),
        [self = shared_from_this()](const GatewayReply& reply) { self->onMessage(reply); });
  }

  void onMessage(const GatewayReply& r) {
    if (r.failure != GatewayReply::Failure::kNone) {
      // The final dot may have left before the connection failed.
      outcome_.uncertain = true;
      outcome_.reply = problem(r, 250, "after the message");
      return finish(outcome_.reply);
    }
    outcome_.reply = replyText(r);
    outcome_.delivered = r.positive();
    finish(outcome_.reply);
  }

  // The outcome does not wait for QUIT's reply: the message is decided already. QUIT's
  // handler keeps the connection until that reply (or its timeout) is in.
  void finish(std::string reply) {
    outcome_.reply = std::move(reply);
    std::shared_ptr<GatewayConnection> conn = std::move(conn_);
    if (!conn->broken()) conn->command("QUIT", [conn](const GatewayReply&) {});
    auto done = std::move(done_);
    done(std::move(outcome_));
  }

  event_base* base_;
  GatewaySettings settings_;
  HeldMail mail_;
  std::function<void(HeldMailOutcome)> done_;
  std::shared_ptr<GatewayConnection> conn_;
  std::size_t next_ = 0;
  HeldMailOutcome outcome_;
};

}  // namespace

void deliverHeldMail(event_base* base, const GatewaySettings& settings, HeldMail mail,
                     std::function<void(HeldMailOutcome)> done) {
  auto delivery =
      std::make_shared<HeldMailDelivery>(base, settings, std::move(mail), std::move(done));
  delivery->start();
}

}  // namespace ts
