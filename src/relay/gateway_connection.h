// One SMTP client connection to the carrier gateway: non-blocking connect, greeting,
// EHLO (HELO as fallback), STARTTLS and EHLO again when gateway_tls asks for it, then
// commands whose replies come back in order. Commands queue until the connection is
// ready and are pipelined when the gateway offers it.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "net/socket_address.h"
#include "relay/gateway_reply.h"
#include "relay/gateway_tls_context.h"

namespace ts {

// What the gateway connections did since start (STYLE.md 9), for status and metrics:
// how many were made and are gone, and the failures that cost a command its reply.
struct GatewayStats {
  std::uint64_t opened = 0;
  std::uint64_t closed = 0;  // freed; opened - closed are open or being opened
  std::uint64_t unreachable = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t lost = 0;
};

struct GatewaySettings {
  SocketAddress address;
  std::string helo_name;
  Duration connect_timeout{};
  Duration reply_timeout{};
  std::shared_ptr<const GatewayTlsContext> tls;  // null: gateway_tls = none
  // Shared with the pool; a connection may outlive it. Null: not counted.
  std::shared_ptr<GatewayStats> stats{};
};

class GatewayConnection : public std::enable_shared_from_this<GatewayConnection> {
 public:
  static std::shared_ptr<GatewayConnection> open(event_base* base, const GatewaySettings& settings);
  ~GatewayConnection();
  GatewayConnection(const GatewayConnection&) = delete;
  GatewayConnection& operator=(const GatewayConnection&) = delete;

  // Sends one command line (no CRLF); the handler gets its reply or the failure.
  void command(std::string_view line, GatewayReplyHandler handler);
  // MAIL FROM, with BODY=8BITMIME and SMTPUTF8 added only if the gateway offers them,
  // which is known only once its EHLO reply is in.
  void mailFrom(std::string reverse_path, bool eight_bit, bool smtputf8,
                GatewayReplyHandler handler);
  // After a 354: sends the message, dot-stuffed, and the final dot.
  void message(std::string_view header, std::string_view body, GatewayReplyHandler handler);
  // After a 354: a payload already dot-stuffed and ending in the final dot (dotStuff), for
  // a released message, which must leave byte for byte as textscreenctl sends it.
  void stuffedMessage(std::string payload, GatewayReplyHandler handler);
  // Drops every handler without calling it and closes: the owner is going away.
  void abandon();

  // Pool support: while parked, an idle timeout or the gateway closing calls on_gone once.
  void park(Duration idle_timeout, std::function<void(GatewayConnection*)> on_gone);
  void unpark();

  bool broken() const { return state_ == State::kBroken; }
  bool busy() const { return !awaiting_.empty() || !waiting_.empty(); }
  bool smtputf8() const { return smtputf8_; }
  bool eightbitmime() const { return eightbitmime_; }

 private:
  // kHandshake: STARTTLS was answered 220 and the TLS handshake runs.
  enum class State { kConnecting, kGreeting, kHello, kHandshake, kReady, kBroken };
  struct Outgoing {
    std::string wire;
    GatewayReplyHandler handler;
    std::function<std::string()> build;  // makes the wire at write time, when set
  };

  GatewayConnection(event_base* base, const GatewaySettings& settings);
  void start();
  void pump();
  void send(Outgoing outgoing);
  void armTimer();
  void onReadable();
  bool readReply(GatewayReply& reply, bool& complete);
  void deliver(const GatewayReply& reply);
  void failAll(GatewayReply::Failure failure);
  void onGreeting(const GatewayReply& reply);
  void onEhlo(const GatewayReply& reply);
  void onHelo(const GatewayReply& reply);
  void onStartTls(const GatewayReply& reply);
  void onHandshakeDone();
  // Sends a command of the greeting phase (EHLO, HELO, STARTTLS) and awaits its reply.
  void hello(std::string_view line, void (GatewayConnection::*on_reply)(const GatewayReply&));
  // Required TLS is missing: no mail may go over this connection.
  void refuseWithoutTls(std::string_view reason);
  // STARTTLS was accepted and then failed. may: one new connection in plaintext;
  // encrypt and verify: the connection fails.
  void tlsFailed(std::string reason, GatewayReply::Failure failure);
  void reconnectInPlaintext();
  std::string handshakeError();
  void logTls(std::string_view result, std::string_view reason);
  void close();

  static void readCallback(bufferevent* bev, void* self);
  static void eventCallback(bufferevent* bev, short what, void* self);
  static void timerCallback(evutil_socket_t fd, short what, void* self);

  event_base* base_;
  GatewaySettings settings_;
  bufferevent* bev_ = nullptr;
  event* timer_ = nullptr;
  State state_ = State::kConnecting;
  bool pipelining_ = false;
  bool smtputf8_ = false;
  bool eightbitmime_ = false;
  bool tls_ = false;              // the TLS handshake is done: bev_ is the TLS filter
  bool plaintext_retry_ = false;  // may: TLS failed on the first connection, none tried now
  std::deque<Outgoing> waiting_;  // not yet written
  std::deque<GatewayReplyHandler> awaiting_;  // written, reply not yet read
  std::string batch_;     // what one pump writes: pipelined commands leave in one send
  GatewayReply partial_;  // a multi-line reply being read
  std::function<void(GatewayConnection*)> on_gone_;
};

}  // namespace ts
