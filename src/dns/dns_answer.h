// What a DNS lookup yields, as one value: the checks read a status, the records as text
// and a TTL, and never see c-ares or wire format.
#pragma once

#include <arpa/nameser.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ts::dns {

enum class DnsStatus { kOk, kNxDomain, kNoData, kServFail, kTimeout, kRefused, kError };

std::string_view toString(DnsStatus status);

// A temporary fault must never become a rejection (DESIGN.md invariant 3); the checks ask
// this rather than listing the statuses themselves.
inline bool isTemporary(DnsStatus status) {
  return status == DnsStatus::kServFail || status == DnsStatus::kTimeout ||
         status == DnsStatus::kRefused || status == DnsStatus::kError;
}

struct DnsAnswer {
  DnsStatus status = DnsStatus::kError;
  // A/AAAA: text addresses; PTR: host names; MX: "preference host"; TXT: the
  // character-strings of one record concatenated.
  std::vector<std::string> records;
  // Positive: the smallest TTL in the answer. Negative: from the SOA, else the configured
  // negative TTL. Zero for temporary faults, which are not cached.
  std::chrono::seconds ttl{0};
};

// "A", "TXT", ... for logs and the cache listing.
std::string_view typeName(ns_type type);

}  // namespace ts::dns
