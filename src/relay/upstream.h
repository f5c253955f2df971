// Where screened mail goes: the carrier's SMTP gateway (SmtpGatewayUpstream) or, where the
// carrier retired it, an HTTP SMS API (SmsApiUpstream). A session opens one
// UpstreamTransaction per SMTP transaction at its first accepted recipient and turns the
// answers into replies without knowing which upstream gave them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ts {

struct Config;
namespace dns {
class Resolver;
}

struct UpstreamEnvelope {
  std::string ref;  // the transaction's reference id, for the upstream's log lines
  std::string sender;
  bool eight_bit = false;  // BODY=8BITMIME
  bool smtputf8 = false;
  // The session's snapshot and DNS: both outlive the transaction (the session holds them).
  const Config* config = nullptr;
  dns::Resolver* resolver = nullptr;
};

// What the client hears (the session appends the reference id) and what is recorded.
struct UpstreamAnswer {
  int code = 0;
  std::string enhanced;
  std::string text;
  // The upstream's own words for the decision log ("250 2.0.0 queued as X", "201 SM...").
  std::string record;
  std::string message_id;  // the SMS API's id of the text it accepted; empty otherwise

  bool positive() const { return code >= 200 && code < 300; }
};

using UpstreamHandler = std::function<void(const UpstreamAnswer&)>;

// Destroying a transaction drops its handlers uncalled (the client went away).
class UpstreamTransaction {
 public:
  virtual ~UpstreamTransaction() = default;
  // One recipient the checks let through; the handler runs once with the upstream's answer.
  virtual void addRecipient(const std::string& forward_path, UpstreamHandler handler) = 0;
  // False when the upstream can no longer take the message (the gateway's connection was
  // lost after it accepted recipients): DATA must be deferred.
  virtual bool ready() const = 0;
  // The message as received, with this side's trace headers to put in front; the handler
  // runs once with the final answer, after which the transaction is over upstream.
  virtual void deliver(std::string trace_headers, std::string message, UpstreamHandler handler) = 0;
  // The client's transaction ended without a message (RSET, a refusal, QUIT).
  virtual void end() = 0;
};

class Upstream {
 public:
  virtual ~Upstream() = default;
  virtual std::unique_ptr<UpstreamTransaction> begin(UpstreamEnvelope envelope) = 0;
  // What decided a message it answered, in the decision log and the metrics ("gateway").
  virtual std::string_view cause() const = 0;
  // Recipients one transaction may have beyond max_recipients' bound; 0: no bound of its own.
  virtual unsigned recipientsPerTransaction() const = 0;
  // True when only trusted networks, SMTP AUTH and authenticated allowlisted domains may
  // send through it (the SMS API serves an organisation's own systems).
  virtual bool authorisedSendersOnly() const = 0;
  // True when mail held in quarantine can go out through it later: a release (textscreenctl,
  // the dashboard) relays over SMTP to the gateway.
  virtual bool releasesQuarantine() const = 0;
};

}  // namespace ts
