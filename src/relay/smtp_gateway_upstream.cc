// A transaction holds at most one pooled connection. A pooled connection the gateway had
// closed while idle fails the first command: that one recipient is tried once more on a
// new connection, since nothing was open upstream yet.
#include "relay/smtp_gateway_upstream.h"

#include <fmt/format.h>

#include <utility>

#include "relay/gateway_reply.h"

namespace ts {
namespace {

// A failure is always temporary for the client (invariant 3), and says whether the
// message may have left.
UpstreamAnswer failureAnswer(GatewayReply::Failure failure) {
  switch (failure) {
    case GatewayReply::Failure::kUnreachable:
      return {451, "4.4.1", "The SMS gateway is unreachable; nothing was accepted, try again later",
              "no reply", ""};
    case GatewayReply::Failure::kTimeout:
      return {451, "4.4.2",
              "The SMS gateway did not answer in time; nothing was accepted, try again later",
              "no reply", ""};
    case GatewayReply::Failure::kLost:
    case GatewayReply::Failure::kNone:
      break;
  }
  return {451, "4.4.2",
          "The connection to the SMS gateway was lost; nothing was accepted, try again later",
          "no reply", ""};
}

// The gateway's own reply, passed on with its enhanced code (or one for its class).
UpstreamAnswer gatewayAnswer(const GatewayReply& r, std::string_view default_enhanced) {
  if (r.failure != GatewayReply::Failure::kNone) return failureAnswer(r.failure);
  std::string record = fmt::format("{} {}", r.code, r.text());
  int cls = r.code / 100;
  if (cls != 2 && cls != 4 && cls != 5) {
    return {451, "4.4.2", "The SMS gateway gave an unexpected reply; try again later", record, ""};
  }
  std::string enhanced = r.enhanced;
  if (enhanced.empty()) {
    enhanced = cls == 2 && !default_enhanced.empty() ? std::string(default_enhanced)
                                                     : fmt::format("{}.0.0", cls);
  }
  return {r.code, enhanced, fmt::format("SMS gateway: {}", r.text()), record, ""};
}

class SmtpGatewayTransaction : public UpstreamTransaction {
 public:
  SmtpGatewayTransaction(RelayPool& pool, UpstreamEnvelope envelope)
      : pool_(pool), envelope_(std::move(envelope)) {}

  ~SmtpGatewayTransaction() override {
    if (lease_.connection) lease_.connection->abandon();
  }

  void addRecipient(const std::string& forward_path, UpstreamHandler handler) override {
    forward(forward_path, std::move(handler));
  }

  bool ready() const override { return lease_.connection != nullptr; }

  void deliver(std::string trace_headers, std::string message, UpstreamHandler handler) override {
    lease_.connection->command(
        "DATA", [this, alive = std::weak_ptr<bool>(alive_), trace = std::move(trace_headers),
                 message = std::move(message), handler](const GatewayReply& r) mutable {
          if (alive.expired()) return;
          onData(r, std::move(trace), std::move(message), std::move(handler));
        });
  }

  void end() override { release(); }

 private:
  void forward(const std::string& forward_path, UpstreamHandler handler) {
    if (!lease_.connection) {
      lease_ = pool_.acquire(retried_);
      mail_sent_ = false;
    }
    auto mail_reply = std::make_shared<GatewayReply>();
    if (!mail_sent_) {
      mail_sent_ = true;
      lease_.connection->mailFrom(envelope_.sender, envelope_.eight_bit, envelope_.smtputf8,
                                  [mail_reply](const GatewayReply& r) { *mail_reply = r; });
    } else {
      mail_reply->code = 250;
    }
    lease_.connection->command(
        "RCPT TO:<" + forward_path + ">",
        [this, alive = std::weak_ptr<bool>(alive_), mail_reply, path = forward_path,
         handler = std::move(handler)](const GatewayReply& r) mutable {
          if (alive.expired()) return;
          // After a refused MAIL the gateway's answer to RCPT is only "503": report the MAIL's.
          bool mail_failed = !mail_reply->positive();
          onRcpt(path, mail_failed ? *mail_reply : r, mail_failed, std::move(handler));
        });
  }

  void onRcpt(const std::string& forward_path, const GatewayReply& reply, bool mail_failed,
              UpstreamHandler handler) {
    if (reply.failure == GatewayReply::Failure::kLost && lease_.reused && accepted_ == 0 &&
        !retried_) {
      retried_ = true;
      lease_.connection->abandon();
      lease_ = {};
      forward(forward_path, std::move(handler));
      return;
    }
    if (reply.failure != GatewayReply::Failure::kNone || mail_failed) {
      // Nothing is open upstream worth keeping; the next RCPT starts a new transaction.
      release();
    }
    if (reply.positive()) ++accepted_;
    handler(gatewayAnswer(reply, "2.1.5"));
  }

  void onData(const GatewayReply& reply, std::string trace, std::string message,
              UpstreamHandler handler) {
    if (reply.failure != GatewayReply::Failure::kNone || reply.code != 354) {
      GatewayReply refused = reply;
      if (refused.failure == GatewayReply::Failure::kNone && refused.code < 400) {
        refused.failure = GatewayReply::Failure::kLost;  // a gateway that does not speak SMTP
      }
      finish(gatewayAnswer(refused, ""), handler);
      return;
    }
    lease_.connection->message(
        trace, message,
        [this, alive = std::weak_ptr<bool>(alive_), handler](const GatewayReply& r) {
          if (alive.expired()) return;
          onFinal(r, handler);
        });
  }

  void onFinal(const GatewayReply& reply, const UpstreamHandler& handler) {
    if (reply.positive()) {
      UpstreamAnswer answer{250, reply.enhanced.empty() ? "2.0.0" : reply.enhanced,
                            fmt::format("Queued by the SMS gateway: {}", reply.text()),
                            fmt::format("{} {}", reply.code, reply.text()), ""};
      finish(std::move(answer), handler);
      return;
    }
    if (reply.failure != GatewayReply::Failure::kNone) {
      // The whole message went out and no verdict came back: the gateway may have queued
      // it (its 250 lost on the way), so this 451 must not claim that nothing was accepted.
      // A 451 risks a duplicate on retry; a 250 would risk losing the message.
      finish({451, "4.4.2",
              "The SMS gateway did not confirm the message; it may have been queued, try again "
              "later",
              "no reply", ""},
             handler);
      return;
    }
    finish(gatewayAnswer(reply, ""), handler);
  }

  // After the final reply the gateway's transaction is over, whatever it said: the
  // connection goes back clean. The handler runs last, since it may free this.
  void finish(UpstreamAnswer answer, const UpstreamHandler& handler) {
    mail_sent_ = false;
    release();
    UpstreamHandler call = handler;
    call(answer);
  }

  void release() {
    if (lease_.connection) pool_.release(std::move(lease_.connection), mail_sent_);
    lease_ = {};
    mail_sent_ = false;
  }

  RelayPool& pool_;
  UpstreamEnvelope envelope_;
  RelayPool::Lease lease_;
  bool mail_sent_ = false;
  bool retried_ = false;
  unsigned accepted_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

std::unique_ptr<UpstreamTransaction> SmtpGatewayUpstream::begin(UpstreamEnvelope envelope) {
  return std::make_unique<SmtpGatewayTransaction>(pool_, std::move(envelope));
}

}  // namespace ts
