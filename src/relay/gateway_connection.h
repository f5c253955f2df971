// One SMTP client connection to the carrier gateway: non-blocking connect, greeting,
// EHLO (HELO as fallback), then commands whose replies come back in order. Commands
// queue until the connection is ready and are pipelined when the gateway offers it.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "net/socket_address.h"
#include "relay/gateway_reply.h"

namespace ts {

struct GatewaySettings {
  SocketAddress address;
  std::string helo_name;
  Duration connect_timeout{};
  Duration reply_timeout{};
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
  enum class State { kConnecting, kGreeting, kHello, kReady, kBroken };
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
  std::deque<Outgoing> waiting_;              // not yet written
  std::deque<GatewayReplyHandler> awaiting_;  // written, reply not yet read
  std::string batch_;     // what one pump writes: pipelined commands leave in one send
  GatewayReply partial_;  // a multi-line reply being read
  std::function<void(GatewayConnection*)> on_gone_;
};

}  // namespace ts
