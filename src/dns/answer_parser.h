// Turns a raw DNS answer (as ares_query hands it over) into a DnsAnswer with TTLs, which
// c-ares 1.18 does not give for TXT, MX or PTR. glibc's ns_* routines do the parsing.
#pragma once

#include <arpa/nameser.h>

#include <chrono>
#include <cstddef>

#include "dns/dns_answer.h"

namespace ts::dns {

// Reads the answer to a query for type. A malformed or truncated packet yields kError.
// negative_ttl is used for NXDOMAIN / NODATA answers that carry no SOA.
DnsAnswer parseAnswer(const unsigned char* packet, std::size_t length, ns_type type,
                      std::chrono::seconds negative_ttl);

}  // namespace ts::dns
