// One client connection slot: connect, EHLO, then MAIL/RCPT/DATA up to
// --messages-per-connection times, QUIT, and reconnect while the driver has messages left.
// An explicit state enum says which reply is awaited; nothing here blocks.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <string>
#include <string_view>

#include "load_stats.h"

namespace ts::load {

class LoadDriver;

class ClientSession {
 public:
  explicit ClientSession(LoadDriver& driver);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  void connect();
  // Closes the connection without telling the driver; used when the run ends.
  void stop();
  // Called by the driver when paced start of a claimed message is due.
  void beginMessage(Clock::time_point start);

 private:
  enum class State {
    kClosed,
    kConnecting,
    kGreeting,
    kEhlo,
    kHolding,       // --idle: connected and greeted, sending nothing
    kWaitingToken,  // between messages, waiting for the --rate pacing
    kMail,
    kRcpt,
    kData,
    kBody,
    kAbortBody,  // pipelined DATA got 354 after MAIL or RCPT failed: send only "."
    kRset,
    kQuit,
  };

  enum class CloseKind {
    kClean,          // after QUIT, or the run is over
    kConnectFailed,  // no connection, or the greeting or EHLO was refused
    kLost,           // timeout, disconnect or garbage in the middle of a session
  };

  static void onRead(bufferevent* bev, void* arg);
  static void onEvent(bufferevent* bev, short what, void* arg);
  static void onReconnect(evutil_socket_t, short, void* arg);

  void readReplies();
  void handleReply(int code);
  void handleEhlo(int code);
  void nextMessage();
  void noteFailure(int code);
  void recordOutcome(bool accepted, std::string_view reason);
  void endFailedTransaction();
  void writeBody();
  void sendQuit();
  void write(std::string_view bytes);
  void expectReply(bool expect);
  // Ends the connection; an in-flight message fails with `reason` unless a reply already
  // failed it.
  void closeConnection(CloseKind kind, std::string_view reason);
  void afterClose(CloseKind kind);

  LoadDriver& driver_;
  bufferevent* bev_ = nullptr;
  event* reconnect_event_ = nullptr;
  State state_ = State::kClosed;
  std::string local_literal_;
  bool pipelining_ = false;  // PIPELINING offered and requested
  bool offers_pipelining_ = false;
  bool in_message_ = false;
  std::string first_failure_;  // first unexpected reply code of the current message
  Clock::time_point message_start_;
  unsigned messages_on_connection_ = 0;
  unsigned consecutive_connect_failures_ = 0;
  unsigned reply_lines_ = 0;
};

}  // namespace ts::load
