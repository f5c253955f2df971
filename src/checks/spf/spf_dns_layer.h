// The DNS layer libspf2 evaluates through: it answers only from answers this run already
// fetched on the async Resolver and notes every miss, so an evaluation never blocks and
// the run fetches the misses and evaluates again (DESIGN.md "Using libspf2 and
// libopendkim without blocking"). It also enforces RFC 7208's lookup limits (4.6.4),
// which libspf2 1.2.10 keeps only in part.
#pragma once

#include <arpa/nameser.h>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/spf/spf_lib.h"
#include "dns/dns_answer.h"

namespace ts::spf {

struct DnsLookup {
  std::string name;  // lower case, no trailing dot
  ns_type type;
};

// The first answer with a temporary status an evaluation ran into: why it is temperror.
struct TemporaryFault {
  std::string name;
  ns_type type;
  dns::DnsStatus status;
};

enum class LookupLimit { kNone, kTooManyTerms, kTooManyVoidLookups };

class SpfDnsLayer {
 public:
  // RFC 7208 4.6.4: at most 10 DNS-querying terms (include, a, mx, ptr, exists, redirect)
  // and at most 2 of their lookups answering NXDOMAIN or no records.
  static constexpr int kMaxTerms = 10;
  static constexpr int kMaxVoidLookups = 2;

  SpfDnsLayer();
  SpfDnsLayer(const SpfDnsLayer&) = delete;
  SpfDnsLayer& operator=(const SpfDnsLayer&) = delete;

  // For SPF_server_new_dns: it points back at this object, which must outlive the server.
  SPF_dns_server_t* server() { return &server_; }

  void addAnswer(const DnsLookup& lookup, const dns::DnsAnswer& answer);

  // Forgets what the previous evaluation asked and counted; the answers stay.
  void startEvaluation();

  // What the last evaluation asked that is not known yet, each once, in the order asked.
  // Until this is empty the evaluation's result means nothing: misses are answered with
  // guesses that only let libspf2 go on and name more of what it needs.
  const std::vector<DnsLookup>& misses() const { return misses_; }
  LookupLimit limit() const { return limit_; }
  int terms() const { return terms_; }
  int voidLookups() const { return void_lookups_; }
  const std::optional<TemporaryFault>& temporaryFault() const { return temporary_; }
  // The smallest TTL among the answers the last evaluation used; 0 when it used none.
  std::chrono::seconds ttl() const { return ttl_.value_or(std::chrono::seconds(0)); }

  static std::string normalize(std::string_view name);

 private:
  static SPF_dns_rr_t* lookupHook(SPF_dns_server_t* server, const char* domain, ns_type type,
                                  int should_cache);
  static SPF_errcode_t explanationHook(SPF_server_t* server, const char* domain, char** buf,
                                       std::size_t* buf_len);

  SPF_dns_rr_t* lookup(const char* domain, ns_type type, bool should_cache);
  bool countTerm(const std::string& name, ns_type type, bool should_cache);
  SPF_dns_rr_t* answerFrom(const char* domain, ns_type type, const dns::DnsAnswer& answer,
                           bool term);
  SPF_dns_rr_t* guess(const char* domain, ns_type type);
  SPF_dns_rr_t* status(const char* domain, ns_type type, int herrno);

  SPF_dns_server_t server_{};
  std::map<std::pair<std::string, int>, dns::DnsAnswer> answers_;

  // Per evaluation.
  std::vector<DnsLookup> misses_;
  // The host names an MX or PTR answer gave, which libspf2 resolves next: those address
  // lookups belong to the mx or ptr term and count neither as terms nor as void lookups.
  std::deque<std::string> follow_ups_;
  bool asked_record_ = false;  // the first TXT lookup is the domain's own record: no term
  int terms_ = 0;
  int void_lookups_ = 0;
  LookupLimit limit_ = LookupLimit::kNone;
  std::optional<TemporaryFault> temporary_;
  std::optional<std::chrono::seconds> ttl_;
};

}  // namespace ts::spf
