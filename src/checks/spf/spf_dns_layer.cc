// libspf2 calls lookup() synchronously in the middle of an evaluation and expects an
// answer at once, so a miss cannot wait: it is noted and answered with a guess (a TXT
// miss as an empty "v=spf1" record, anything else as "no records") that lets the
// evaluation go on and name its other misses in the same round. The run throws that
// evaluation away and fetches all the misses together, so the rounds follow the depth of
// the include tree, not the number of lookups.
#include "checks/spf/spf_dns_layer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "util/domain_labels.h"

namespace ts::spf {
namespace {

constexpr const char* kGuessedRecord = "v=spf1";

// Names that can go on the wire: a macro can expand to anything, and a name the resolver
// cannot send would come back as a temporary error instead of "no such name".
bool isDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return everyLabel(name, [](std::string_view label) {
    if (label.empty() || label.size() > 63) return false;
    return std::all_of(label.begin(), label.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  });
}

bool isSpfType(ns_type type) {
  return type == ns_t_a || type == ns_t_aaaa || type == ns_t_mx || type == ns_t_txt ||
         type == ns_t_ptr;
}

// "10 mx.example.com." -> "mx.example.com"
std::string mxHost(const std::string& record) {
  std::size_t space = record.find(' ');
  std::string host = space == std::string::npos ? record : record.substr(space + 1);
  host.erase(0, host.find_first_not_of(' '));
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

// Copies one record into slot index of rr in the form libspf2 reads; false if the record
// cannot be one of its type (an address that does not parse, an MX without a host).
bool fill(SPF_dns_rr_t* rr, int index, ns_type type, const std::string& record) {
  std::string text;
  switch (type) {
    case ns_t_a: {
      in_addr a{};
      if (inet_pton(AF_INET, record.c_str(), &a) != 1) return false;
      if (SPF_dns_rr_buf_realloc(rr, index, sizeof(SPF_dns_rr_data_t)) != SPF_E_SUCCESS) {
        return false;
      }
      rr->rr[index]->a = a;
      return true;
    }
    case ns_t_aaaa: {
      in6_addr a{};
      if (inet_pton(AF_INET6, record.c_str(), &a) != 1) return false;
      if (SPF_dns_rr_buf_realloc(rr, index, sizeof(SPF_dns_rr_data_t)) != SPF_E_SUCCESS) {
        return false;
      }
      rr->rr[index]->aaaa = a;
      return true;
    }
    case ns_t_mx:
      text = mxHost(record);
      break;
    case ns_t_ptr:
      text = record;
      if (!text.empty() && text.back() == '.') text.pop_back();
      break;
    default:
      text = record;
      break;
  }
  if (type != ns_t_txt && text.empty()) return false;
  if (SPF_dns_rr_buf_realloc(rr, index, text.size() + 1) != SPF_E_SUCCESS) return false;
  // txt, mx and ptr share one char array in libspf2's union.
  std::memcpy(rr->rr[index]->txt, text.c_str(), text.size() + 1);
  return true;
}

}  // namespace

SpfDnsLayer::SpfDnsLayer() {
  server_.destroy = nullptr;  // owned here, never by libspf2
  server_.lookup = &SpfDnsLayer::lookupHook;
  server_.get_spf = nullptr;  // libspf2 fetches records through lookup()
  server_.get_exp = &SpfDnsLayer::explanationHook;
  server_.add_cache = nullptr;
  server_.layer_below = nullptr;
  server_.name = "textscreen";
  server_.debug = 0;
  server_.hook = this;
}

std::string SpfDnsLayer::normalize(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out.back() == '.') out.pop_back();
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void SpfDnsLayer::addAnswer(const DnsLookup& lookup, const dns::DnsAnswer& answer) {
  answers_[{lookup.name, lookup.type}] = answer;
}

void SpfDnsLayer::startEvaluation() {
  misses_.clear();
  follow_ups_.clear();
  asked_record_ = false;
  terms_ = 0;
  void_lookups_ = 0;
  limit_ = LookupLimit::kNone;
  temporary_.reset();
  ttl_.reset();
}

SPF_dns_rr_t* SpfDnsLayer::lookupHook(SPF_dns_server_t* server, const char* domain, ns_type type,
                                      int should_cache) {
  return static_cast<SpfDnsLayer*>(server->hook)->lookup(domain, type, should_cache != 0);
}

// The exp= modifier names a TXT record with the sender's own explanation for a fail.
// textscreen writes its own reason, so that lookup is never made: libspf2 gets an empty
// text.
SPF_errcode_t SpfDnsLayer::explanationHook(SPF_server_t*, const char*, char** buf,
                                           std::size_t* buf_len) {
  if (*buf == nullptr || *buf_len == 0) {
    *buf = static_cast<char*>(std::malloc(1));  // libspf2 frees it with free()
    if (*buf == nullptr) return SPF_E_NO_MEMORY;
    *buf_len = 1;
  }
  (*buf)[0] = '\0';
  return SPF_E_SUCCESS;
}

SPF_dns_rr_t* SpfDnsLayer::lookup(const char* domain, ns_type type, bool should_cache) {
  if (domain == nullptr) domain = "";
  // Past a limit every lookup fails temporarily, which makes libspf2 stop where it is;
  // the run reports the limit, not the temperror.
  if (limit_ != LookupLimit::kNone) return status(domain, type, TRY_AGAIN);
  // libspf2 asks the retired SPF type first and falls back to TXT on "no data".
  if (type == kSpfRrType || !isSpfType(type)) return status(domain, type, NO_DATA);

  std::string name = normalize(domain);
  bool term = countTerm(name, type, should_cache);
  if (limit_ != LookupLimit::kNone) return status(domain, type, TRY_AGAIN);
  if (!isDnsName(name)) return status(domain, type, HOST_NOT_FOUND);

  auto it = answers_.find({name, type});
  if (it != answers_.end()) return answerFrom(domain, type, it->second, term);
  bool noted = std::any_of(misses_.begin(), misses_.end(),
                           [&](const DnsLookup& m) { return m.type == type && m.name == name; });
  if (!noted) misses_.push_back({name, type});
  return guess(domain, type);
}

// Which lookups are terms follows from the order libspf2 asks in: the domain's own record
// first, then each term's lookup, an mx or ptr term's address lookups right after it.
bool SpfDnsLayer::countTerm(const std::string& name, ns_type type, bool should_cache) {
  bool address = type == ns_t_a || type == ns_t_aaaa;
  if (address && !follow_ups_.empty() && follow_ups_.front() == name) {
    follow_ups_.pop_front();
    return false;
  }
  follow_ups_.clear();
  if (type == ns_t_txt && !asked_record_) {
    asked_record_ = true;
    return false;
  }
  // libspf2 resolves the %{p} macro with uncached PTR lookups; the ptr term caches.
  if (type == ns_t_ptr && !should_cache) return false;
  if (++terms_ > kMaxTerms) limit_ = LookupLimit::kTooManyTerms;
  return true;
}

SPF_dns_rr_t* SpfDnsLayer::answerFrom(const char* domain, ns_type type,
                                      const dns::DnsAnswer& answer, bool term) {
  if (dns::isTemporary(answer.status)) {
    if (!temporary_) temporary_ = TemporaryFault{normalize(domain), type, answer.status};
    return status(domain, type, TRY_AGAIN);
  }
  int ttl = static_cast<int>(std::min<long long>(answer.ttl.count(), 86400));
  RrPtr rr(SPF_dns_rr_new_init(&server_, domain, type, ttl, NETDB_SUCCESS));
  if (!rr) return nullptr;  // out of memory: libspf2 aborts, as it does everywhere
  int count = 0;
  std::deque<std::string> hosts;
  if (answer.status == dns::DnsStatus::kOk) {
    for (const std::string& record : answer.records) {
      if (!fill(rr.get(), count, type, record)) continue;
      if (type == ns_t_mx || type == ns_t_ptr) hosts.push_back(normalize(rr->rr[count]->mx));
      ++count;
    }
  }
  rr->num_rr = count;
  std::chrono::seconds used = answer.ttl;
  ttl_ = ttl_ ? std::min(*ttl_, used) : used;
  if (count == 0) {
    rr->herrno = answer.status == dns::DnsStatus::kNxDomain ? HOST_NOT_FOUND : NO_DATA;
    if (term && ++void_lookups_ > kMaxVoidLookups) {
      limit_ = LookupLimit::kTooManyVoidLookups;
      return status(domain, type, TRY_AGAIN);
    }
  }
  if (type == ns_t_mx || type == ns_t_ptr) follow_ups_ = std::move(hosts);
  return rr.release();
}

SPF_dns_rr_t* SpfDnsLayer::guess(const char* domain, ns_type type) {
  if (type != ns_t_txt) return status(domain, type, NO_DATA);
  RrPtr rr(SPF_dns_rr_new_init(&server_, domain, type, 0, NETDB_SUCCESS));
  if (!rr) return nullptr;
  if (fill(rr.get(), 0, type, kGuessedRecord)) rr->num_rr = 1;
  return rr.release();
}

SPF_dns_rr_t* SpfDnsLayer::status(const char* domain, ns_type type, int herrno) {
  return SPF_dns_rr_new_init(&server_, domain, type, 0, herrno);
}

}  // namespace ts::spf
