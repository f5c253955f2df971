// Table-driven tests of parseAnswer on wire-format answers built here byte by byte, so
// every record type, the TTL rules and damaged packets are covered without a server.
#include "dns/answer_parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ts::dns {
namespace {

using std::chrono::seconds;
using Bytes = std::vector<unsigned char>;

void put16(Bytes& b, unsigned v) {
  b.push_back(static_cast<unsigned char>(v >> 8));
  b.push_back(static_cast<unsigned char>(v));
}

void put32(Bytes& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}

// Uncompressed names keep the builder trivial; compression is tested with one pointer.
Bytes encodeName(const std::string& name) {
  Bytes b;
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    b.push_back(static_cast<unsigned char>(dot - start));
    b.insert(b.end(), name.begin() + static_cast<long>(start),
             name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  b.push_back(0);
  return b;
}

struct Rr {
  std::string name;
  unsigned type;
  std::uint32_t ttl;
  Bytes rdata;
};

Bytes packet(unsigned rcode, const std::string& qname, unsigned qtype, const std::vector<Rr>& an,
             const std::vector<Rr>& ns = {}) {
  Bytes b;
  put16(b, 0x1234);
  put16(b, 0x8180 | rcode);  // response, RD, RA
  put16(b, 1);
  put16(b, static_cast<unsigned>(an.size()));
  put16(b, static_cast<unsigned>(ns.size()));
  put16(b, 0);
  Bytes q = encodeName(qname);
  b.insert(b.end(), q.begin(), q.end());
  put16(b, qtype);
  put16(b, ns_c_in);
  for (const auto* section : {&an, &ns}) {
    for (const Rr& rr : *section) {
      Bytes n = encodeName(rr.name);
      b.insert(b.end(), n.begin(), n.end());
      put16(b, rr.type);
      put16(b, ns_c_in);
      put32(b, rr.ttl);
      put16(b, static_cast<unsigned>(rr.rdata.size()));
      b.insert(b.end(), rr.rdata.begin(), rr.rdata.end());
    }
  }
  return b;
}

Bytes txtRdata(const std::vector<std::string>& strings) {
  Bytes b;
  for (const std::string& s : strings) {
    b.push_back(static_cast<unsigned char>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  return b;
}

Bytes mxRdata(unsigned preference, const std::string& host) {
  Bytes b;
  put16(b, preference);
  Bytes n = encodeName(host);
  b.insert(b.end(), n.begin(), n.end());
  return b;
}

Bytes soaRdata(std::uint32_t minimum) {
  Bytes b = encodeName("ns.example.com");
  Bytes r = encodeName("hostmaster.example.com");
  b.insert(b.end(), r.begin(), r.end());
  for (std::uint32_t v : {1u, 7200u, 3600u, 1209600u}) put32(b, v);
  put32(b, minimum);
  return b;
}

const std::string kLongA(255, 'a');
const std::string kLongB(255, 'b');
const std::string kLongC(100, 'c');

struct Case {
  const char* label;
  Bytes packet;
  ns_type type;
  DnsStatus status;
  std::vector<std::string> records;
  seconds ttl;
};

// Names the row in test output; gtest would otherwise print the struct's bytes.
void PrintTo(const Case& c, std::ostream* out) {
  *out << c.label;
}

class ParseTest : public ::testing::TestWithParam<Case> {};

TEST_P(ParseTest, Parses) {
  const Case& c = GetParam();
  DnsAnswer answer = parseAnswer(c.packet.data(), c.packet.size(), c.type, seconds(900));
  EXPECT_EQ(answer.status, c.status) << toString(answer.status);
  EXPECT_EQ(answer.records, c.records);
  EXPECT_EQ(answer.ttl, c.ttl);
}

Bytes truncatedCopy(Bytes b, std::size_t cut) {
  b.resize(b.size() - cut);
  return b;
}

Bytes badTxtLength() {
  Bytes b = packet(0, "t.example.com", ns_t_txt, {{"t.example.com", ns_t_txt, 60, {5, 'a', 'b'}}});
  return b;
}

// An MX whose exchange is a compression pointer back to the question name (offset 12).
Bytes compressedMx() {
  return packet(0, "example.com", ns_t_mx, {{"example.com", ns_t_mx, 120, {0, 5, 0xc0, 12}}});
}

INSTANTIATE_TEST_SUITE_P(
    Answers, ParseTest,
    ::testing::Values(
        Case{"a_two_records_min_ttl",
             packet(0, "h.example.com", ns_t_a,
                    {{"h.example.com", ns_t_a, 300, {192, 0, 2, 1}},
                     {"h.example.com", ns_t_a, 60, {192, 0, 2, 2}}}),
             ns_t_a,
             DnsStatus::kOk,
             {"192.0.2.1", "192.0.2.2"},
             seconds(60)},
        Case{"aaaa",
             packet(0, "h.example.com", ns_t_aaaa,
                    {{"h.example.com",
                      ns_t_aaaa,
                      30,
                      {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}}),
             ns_t_aaaa,
             DnsStatus::kOk,
             {"2001:db8::1"},
             seconds(30)},
        Case{"txt_several_strings_joined",
             packet(0, "t.example.com", ns_t_txt,
                    {{"t.example.com", ns_t_txt, 3600, txtRdata({"v=spf1 ", "-all"})}}),
             ns_t_txt,
             DnsStatus::kOk,
             {"v=spf1 -all"},
             seconds(3600)},
        Case{"txt_over_512_bytes",
             packet(0, "k._domainkey.example.com", ns_t_txt,
                    {{"k._domainkey.example.com", ns_t_txt, 600,
                      txtRdata({kLongA, kLongB, kLongC})}}),
             ns_t_txt,
             DnsStatus::kOk,
             {kLongA + kLongB + kLongC},
             seconds(600)},
        Case{"mx_with_preference",
             packet(0, "example.com", ns_t_mx,
                    {{"example.com", ns_t_mx, 120, mxRdata(10, "mx1.example.com")}}),
             ns_t_mx,
             DnsStatus::kOk,
             {"10 mx1.example.com"},
             seconds(120)},
        Case{"mx_compressed_name",
             compressedMx(),
             ns_t_mx,
             DnsStatus::kOk,
             {"5 example.com"},
             seconds(120)},
        Case{"ptr",
             packet(0, "1.2.0.192.in-addr.arpa", ns_t_ptr,
                    {{"1.2.0.192.in-addr.arpa", ns_t_ptr, 86400, encodeName("mail.example.com")}}),
             ns_t_ptr,
             DnsStatus::kOk,
             {"mail.example.com"},
             seconds(86400)},
        Case{"cname_ttl_counts",
             packet(0, "w.example.com", ns_t_a,
                    {{"w.example.com", ns_t_cname, 20, encodeName("h.example.com")},
                     {"h.example.com", ns_t_a, 300, {192, 0, 2, 9}}}),
             ns_t_a,
             DnsStatus::kOk,
             {"192.0.2.9"},
             seconds(20)},
        Case{"nxdomain_with_soa",
             packet(3, "no.example.com", ns_t_a, {},
                    {{"example.com", ns_t_soa, 3600, soaRdata(120)}}),
             ns_t_a,
             DnsStatus::kNxDomain,
             {},
             seconds(120)},
        Case{
            "nxdomain_soa_ttl_below_minimum",
            packet(3, "no.example.com", ns_t_a, {}, {{"example.com", ns_t_soa, 45, soaRdata(120)}}),
            ns_t_a,
            DnsStatus::kNxDomain,
            {},
            seconds(45)},
        Case{"nxdomain_without_soa",
             packet(3, "no.example.com", ns_t_a, {}),
             ns_t_a,
             DnsStatus::kNxDomain,
             {},
             seconds(900)},
        Case{"nodata_with_soa",
             packet(0, "h.example.com", ns_t_mx, {},
                    {{"example.com", ns_t_soa, 3600, soaRdata(300)}}),
             ns_t_mx,
             DnsStatus::kNoData,
             {},
             seconds(300)},
        Case{"nodata_other_type_only",
             packet(0, "h.example.com", ns_t_txt, {{"h.example.com", ns_t_a, 60, {192, 0, 2, 1}}}),
             ns_t_txt,
             DnsStatus::kNoData,
             {},
             seconds(900)},
        Case{"servfail",
             packet(2, "h.example.com", ns_t_a, {}),
             ns_t_a,
             DnsStatus::kServFail,
             {},
             seconds(0)},
        Case{"refused",
             packet(5, "h.example.com", ns_t_a, {}),
             ns_t_a,
             DnsStatus::kRefused,
             {},
             seconds(0)},
        Case{"a_wrong_rdata_length",
             packet(0, "h.example.com", ns_t_a, {{"h.example.com", ns_t_a, 60, {192, 0, 2}}}),
             ns_t_a,
             DnsStatus::kError,
             {},
             seconds(0)},
        Case{"txt_string_overruns_rdata",
             badTxtLength(),
             ns_t_txt,
             DnsStatus::kError,
             {},
             seconds(0)},
        Case{"truncated_packet",
             truncatedCopy(packet(0, "h.example.com", ns_t_a,
                                  {{"h.example.com", ns_t_a, 60, {192, 0, 2, 1}}}),
                           3),
             ns_t_a,
             DnsStatus::kError,
             {},
             seconds(0)},
        Case{"header_only_fragment",
             Bytes{0x12, 0x34, 0x81},
             ns_t_a,
             DnsStatus::kError,
             {},
             seconds(0)},
        Case{"garbage", Bytes(40, 0xff), ns_t_a, DnsStatus::kError, {}, seconds(0)}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.label); });

TEST(ParseAnswer, EmptyInputIsError) {
  EXPECT_EQ(parseAnswer(nullptr, 0, ns_t_a, seconds(1)).status, DnsStatus::kError);
}

}  // namespace
}  // namespace ts::dns
