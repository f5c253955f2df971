// Drives c-ares from the libevent loop: c-ares tells us which sockets to watch
// (ARES_OPT_SOCK_STATE_CB), we hand readiness back with ares_process_fd, and one timer
// follows ares_timeout so retries and timeouts happen without any blocking call.
#include "dns/ares_resolver.h"

#include <fmt/core.h>

#include <utility>

#include "dns/answer_parser.h"

namespace ts::dns {

// What c-ares carries through a query: enough to find the caller again, or to learn it
// cancelled (c-ares cannot cancel one query alone, so cancelling forgets the caller).
struct AresResolver::Ticket {
  AresResolver* self;
  QueryId id;
};

namespace {

DnsStatus statusOf(int ares_status) {
  switch (ares_status) {
    case ARES_ENOTFOUND:
      return DnsStatus::kNxDomain;
    case ARES_ENODATA:
      return DnsStatus::kNoData;
    case ARES_ESERVFAIL:
      return DnsStatus::kServFail;
    case ARES_ETIMEOUT:
      return DnsStatus::kTimeout;
    case ARES_EREFUSED:
      return DnsStatus::kRefused;
    default:
      return DnsStatus::kError;
  }
}

// c-ares keeps global state that must be set up once per process before any channel.
bool initLibrary() {
  static const int status = ares_library_init(ARES_LIB_INIT_ALL);
  return status == ARES_SUCCESS;
}

}  // namespace

Result<std::unique_ptr<AresResolver>> AresResolver::create(event_base* base,
                                                           AresSettings settings) {
  if (!initLibrary()) return fail(std::string("c-ares library init failed"));
  std::unique_ptr<AresResolver> resolver(new AresResolver(base, std::move(settings)));
  ares_options options{};
  options.sock_state_cb = &AresResolver::onSockState;
  options.sock_state_cb_data = resolver.get();
  options.timeout = static_cast<int>(resolver->settings_.timeout.count());
  options.tries = resolver->settings_.tries;
  // NOCHECKRESP: c-ares 1.18 turns a SERVFAIL from its only server into "could not
  // contact DNS servers"; the configured server is a recursive resolver whose SERVFAIL is
  // its verdict, and the checks must tell it from a dead server. IGNTC stays unset so
  // truncated answers are fetched again over TCP.
  options.flags = ARES_FLAG_NOCHECKRESP;
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
  int status = ares_init_options(&resolver->channel_, &options, mask);
  if (status != ARES_SUCCESS) {
    return fail(fmt::format("c-ares init: {}", ares_strerror(status)));
  }
  if (!resolver->settings_.servers.empty()) {
    status = ares_set_servers_ports_csv(resolver->channel_, resolver->settings_.servers.c_str());
    if (status != ARES_SUCCESS) {
      return fail(
          fmt::format("dns servers '{}': {}", resolver->settings_.servers, ares_strerror(status)));
    }
  }
  resolver->timer_ = evtimer_new(base, &AresResolver::onTimer, resolver.get());
  if (resolver->timer_ == nullptr) return fail(std::string("dns timer: out of memory"));
  return resolver;
}

AresResolver::AresResolver(event_base* base, AresSettings settings)
    : base_(base), settings_(std::move(settings)) {}

AresResolver::~AresResolver() {
  // ares_destroy answers every outstanding query with ARES_EDESTRUCTION; nobody is
  // waiting for those any more.
  destroying_ = true;
  pending_.clear();
  if (channel_ != nullptr) ares_destroy(channel_);
  for (auto& [fd, ev] : sockets_) event_free(ev);
  if (timer_ != nullptr) event_free(timer_);
}

QueryId AresResolver::query(const std::string& name, ns_type type, DnsCallback callback) {
  QueryId id = next_id_++;
  pending_.emplace(id, Pending{type, std::move(callback)});
  // c-ares may answer at once (a name it cannot encode), so the ticket must be ready first.
  ares_query(channel_, name.c_str(), ns_c_in, type, &AresResolver::onAnswer, new Ticket{this, id});
  rearmTimer();
  return id;
}

void AresResolver::cancel(QueryId id) {
  pending_.erase(id);
}

void AresResolver::onAnswer(void* arg, int status, int /*timeouts*/, unsigned char* abuf,
                            int alen) {
  std::unique_ptr<Ticket> ticket(static_cast<Ticket*>(arg));
  AresResolver* self = ticket->self;
  if (self->destroying_) return;
  auto it = self->pending_.find(ticket->id);
  if (it == self->pending_.end()) return;  // cancelled
  DnsAnswer answer;
  // Whenever a packet came (also NXDOMAIN, NODATA, SERVFAIL) it is the authority: it holds
  // the rcode and the SOA for the negative TTL.
  if (abuf != nullptr && alen > 0) {
    answer = parseAnswer(abuf, static_cast<std::size_t>(alen), it->second.type,
                         self->settings_.negative_ttl);
  } else {
    answer.status = statusOf(status);
  }
  self->finish(ticket->id, answer);
}

void AresResolver::finish(QueryId id, const DnsAnswer& answer) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  DnsCallback callback = std::move(it->second.callback);
  pending_.erase(it);
  callback(answer);
}

void AresResolver::onSockState(void* data, ares_socket_t fd, int readable, int writable) {
  static_cast<AresResolver*>(data)->watchSocket(fd, readable != 0, writable != 0);
}

void AresResolver::watchSocket(ares_socket_t fd, bool readable, bool writable) {
  auto it = sockets_.find(fd);
  if (it != sockets_.end()) {
    event_free(it->second);
    sockets_.erase(it);
  }
  if (!readable && !writable) return;
  short what = EV_PERSIST | (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);
  event* ev = event_new(base_, fd, what, &AresResolver::onSocketReady, this);
  if (ev == nullptr) return;  // the query times out through the timer instead
  event_add(ev, nullptr);
  sockets_.emplace(fd, ev);
}

void AresResolver::onSocketReady(evutil_socket_t fd, short what, void* arg) {
  auto* self = static_cast<AresResolver*>(arg);
  ares_process_fd(self->channel_, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
                  (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
  self->rearmTimer();
}

void AresResolver::onTimer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<AresResolver*>(arg);
  // Both sockets BAD: c-ares only checks its timeouts.
  ares_process_fd(self->channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  self->rearmTimer();
}

void AresResolver::rearmTimer() {
  if (destroying_) return;
  timeval tv{};
  // Without a max, ares_timeout returns null when no query is outstanding.
  if (ares_timeout(channel_, nullptr, &tv) == nullptr) {
    evtimer_del(timer_);
    return;
  }
  evtimer_add(timer_, &tv);
}

}  // namespace ts::dns
