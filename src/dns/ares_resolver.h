// The Resolver that talks to the network: c-ares on the libevent loop. c-ares brings TCP
// fallback for truncated answers (DKIM keys, long SPF records), which evdns lacks.
#pragma once

#include <ares.h>
#include <event2/event.h>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "dns/resolver.h"
#include "util/result.h"

namespace ts::dns {

struct AresSettings {
  // "host:port" entries, comma separated ("127.0.0.1:5353"); empty keeps resolv.conf's.
  std::string servers;
  std::chrono::milliseconds timeout{2000};  // per try
  int tries = 2;
  // For NXDOMAIN / NODATA answers that carry no SOA to take the TTL from.
  std::chrono::seconds negative_ttl{300};
};

class AresResolver final : public Resolver {
 public:
  static Result<std::unique_ptr<AresResolver>> create(event_base* base, AresSettings settings);
  ~AresResolver() override;
  AresResolver(const AresResolver&) = delete;
  AresResolver& operator=(const AresResolver&) = delete;

  QueryId query(const std::string& name, ns_type type, DnsCallback callback) override;
  void cancel(QueryId id) override;

  std::size_t pendingCount() const { return pending_.size(); }

 private:
  struct Pending {
    ns_type type;
    DnsCallback callback;
  };
  struct Ticket;

  AresResolver(event_base* base, AresSettings settings);
  static void onSockState(void* data, ares_socket_t fd, int readable, int writable);
  static void onSocketReady(evutil_socket_t fd, short what, void* arg);
  static void onTimer(evutil_socket_t fd, short what, void* arg);
  static void onAnswer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
  void watchSocket(ares_socket_t fd, bool readable, bool writable);
  void rearmTimer();
  void finish(QueryId id, const DnsAnswer& answer);

  event_base* base_;
  AresSettings settings_;
  ares_channel channel_ = nullptr;
  event* timer_ = nullptr;
  std::unordered_map<ares_socket_t, event*> sockets_;
  std::unordered_map<QueryId, Pending> pending_;
  QueryId next_id_ = 1;
  bool destroying_ = false;
};

}  // namespace ts::dns
