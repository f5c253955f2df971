// Reads DNS answers with glibc's ns_initparse / ns_parserr / ns_name_uncompress: no DNS
// parsing by hand beyond the RDATA layouts of the five types the checks ask for.
#include "dns/answer_parser.h"

#include <arpa/inet.h>
#include <resolv.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace ts::dns {
namespace {

using std::chrono::seconds;

DnsAnswer errorAnswer(DnsStatus status) {
  DnsAnswer answer;
  answer.status = status;
  return answer;
}

std::optional<std::string> readName(const ns_msg& msg, const unsigned char* at) {
  char name[NS_MAXDNAME];
  if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), at, name, sizeof name) < 0) {
    return std::nullopt;
  }
  return std::string(name);
}

std::optional<std::string> readAddress(const ns_rr& rr, int family, std::size_t size) {
  if (ns_rr_rdlen(rr) != size) return std::nullopt;
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(family, ns_rr_rdata(rr), text, sizeof text) == nullptr) return std::nullopt;
  return std::string(text);
}

// A TXT record is one or more length-prefixed character-strings; DKIM keys and long SPF
// records are split across several, and the consumers want them joined.
std::optional<std::string> readTxt(const ns_rr& rr) {
  const unsigned char* p = ns_rr_rdata(rr);
  const unsigned char* end = p + ns_rr_rdlen(rr);
  std::string text;
  while (p < end) {
    std::size_t len = *p++;
    if (static_cast<std::size_t>(end - p) < len) return std::nullopt;
    text.append(reinterpret_cast<const char*>(p), len);
    p += len;
  }
  return text;
}

std::optional<std::string> readMx(const ns_msg& msg, const ns_rr& rr) {
  if (ns_rr_rdlen(rr) < 3) return std::nullopt;
  unsigned preference = ns_get16(ns_rr_rdata(rr));
  auto host = readName(msg, ns_rr_rdata(rr) + 2);
  if (!host) return std::nullopt;
  return std::to_string(preference) + " " + *host;
}

std::optional<std::string> readRecord(const ns_msg& msg, const ns_rr& rr, ns_type type) {
  switch (type) {
    case ns_t_a:
      return readAddress(rr, AF_INET, 4);
    case ns_t_aaaa:
      return readAddress(rr, AF_INET6, 16);
    case ns_t_ptr:
      return readName(msg, ns_rr_rdata(rr));
    case ns_t_txt:
      return readTxt(rr);
    case ns_t_mx:
      return readMx(msg, rr);
    default:
      return std::nullopt;
  }
}

// RFC 2308 section 5: a negative answer lives for the smaller of the SOA's own TTL and
// its MINIMUM field.
std::optional<seconds> soaNegativeTtl(ns_msg& msg) {
  int count = ns_msg_count(msg, ns_s_ns);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_ns, i, &rr) < 0) return std::nullopt;
    if (ns_rr_type(rr) != ns_t_soa) continue;
    const unsigned char* p = ns_rr_rdata(rr);
    const unsigned char* end = p + ns_rr_rdlen(rr);
    for (int name = 0; name < 2; ++name) {  // MNAME, RNAME
      if (ns_name_skip(&p, end) < 0) return std::nullopt;
    }
    if (end - p < 5 * NS_INT32SZ) return std::nullopt;
    std::uint32_t minimum = ns_get32(p + 4 * NS_INT32SZ);
    return seconds(std::min<std::uint32_t>(minimum, ns_rr_ttl(rr)));
  }
  return std::nullopt;
}

}  // namespace

DnsAnswer parseAnswer(const unsigned char* packet, std::size_t length, ns_type type,
                      seconds negative_ttl) {
  if (packet == nullptr || length == 0 || length > NS_MAXMSG) {
    return errorAnswer(DnsStatus::kError);
  }
  ns_msg msg;
  if (ns_initparse(packet, static_cast<int>(length), &msg) < 0) {
    return errorAnswer(DnsStatus::kError);
  }
  switch (ns_msg_getflag(msg, ns_f_rcode)) {
    case ns_r_noerror:
    case ns_r_nxdomain:
      break;
    case ns_r_servfail:
      return errorAnswer(DnsStatus::kServFail);
    case ns_r_refused:
      return errorAnswer(DnsStatus::kRefused);
    default:
      return errorAnswer(DnsStatus::kError);
  }

  DnsAnswer answer;
  std::optional<std::uint32_t> min_ttl;
  int count = ns_msg_count(msg, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) return errorAnswer(DnsStatus::kError);
    // A CNAME on the way to the records limits how long they may be kept, so it counts
    // toward the TTL even though it is not returned.
    min_ttl = std::min(min_ttl.value_or(ns_rr_ttl(rr)), ns_rr_ttl(rr));
    if (ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in) continue;
    auto record = readRecord(msg, rr, type);
    if (!record) return errorAnswer(DnsStatus::kError);
    answer.records.push_back(std::move(*record));
  }

  if (ns_msg_getflag(msg, ns_f_rcode) == ns_r_nxdomain || answer.records.empty()) {
    answer.status = ns_msg_getflag(msg, ns_f_rcode) == ns_r_nxdomain ? DnsStatus::kNxDomain
                                                                     : DnsStatus::kNoData;
    answer.records.clear();
    answer.ttl = soaNegativeTtl(msg).value_or(negative_ttl);
    return answer;
  }
  answer.status = DnsStatus::kOk;
  answer.ttl = seconds(min_ttl.value_or(0));
  return answer;
}

}  // namespace ts::dns
