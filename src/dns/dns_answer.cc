// Names for DNS statuses and record types, shared by logs and the cache listing.
#include "dns/dns_answer.h"

namespace ts::dns {

std::string_view toString(DnsStatus status) {
  switch (status) {
    case DnsStatus::kOk:
      return "ok";
    case DnsStatus::kNxDomain:
      return "nxdomain";
    case DnsStatus::kNoData:
      return "nodata";
    case DnsStatus::kServFail:
      return "servfail";
    case DnsStatus::kTimeout:
      return "timeout";
    case DnsStatus::kRefused:
      return "refused";
    case DnsStatus::kError:
      return "error";
  }
  return "error";
}

std::string_view typeName(ns_type type) {
  switch (type) {
    case ns_t_a:
      return "A";
    case ns_t_aaaa:
      return "AAAA";
    case ns_t_ptr:
      return "PTR";
    case ns_t_txt:
      return "TXT";
    case ns_t_mx:
      return "MX";
    default:
      return "OTHER";
  }
}

}  // namespace ts::dns
