// Fuzzes the reading of raw DNS answers, the bytes a DNS server (or anyone spoofing one)
// sends: no crash, no undefined behaviour, and a reply that is read as OK has records.
// The first byte picks the query type so every record reader is reached.
#include <arpa/nameser.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "dns/answer_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static constexpr ns_type kTypes[] = {ns_t_a, ns_t_aaaa, ns_t_ptr, ns_t_txt, ns_t_mx};
  ns_type type = kTypes[data[0] % (sizeof(kTypes) / sizeof(kTypes[0]))];
  ts::dns::DnsAnswer answer =
      ts::dns::parseAnswer(data + 1, size - 1, type, std::chrono::seconds(300));
  if (answer.status == ts::dns::DnsStatus::kOk && answer.records.empty()) std::abort();
  if (answer.status != ts::dns::DnsStatus::kOk && !answer.records.empty()) std::abort();
  return 0;
}
