// The PROXY protocol parser: every valid form of versions 1 and 2, every prefix of them
// (which must ask for more, never fail), and the malformed headers it must refuse.
#include "net/proxy_header.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ts {
namespace {

using namespace std::string_literals;

const std::string kV2Signature = "\r\n\r\n\0\r\nQUIT\n"s;

// A version 2 header: version/command byte, family byte, then the block after the length.
std::string v2(unsigned char version_command, unsigned char family, const std::string& block) {
  std::string out = kV2Signature;
  out += static_cast<char>(version_command);
  out += static_cast<char>(family);
  out += static_cast<char>(block.size() >> 8);
  out += static_cast<char>(block.size() & 0xff);
  return out + block;
}

// 192.0.2.10:40000 -> 198.51.100.1:25
const std::string kTcp4Block = "\xc0\x00\x02\x0a\xc6\x33\x64\x01\x9c\x40\x00\x19"s;

// 2001:db8::10:40000 -> 2001:db8::1:25
std::string tcp6Block() {
  std::string source = "\x20\x01\x0d\xb8"s + std::string(10, '\0') + "\x00\x10"s;
  std::string destination = "\x20\x01\x0d\xb8"s + std::string(10, '\0') + "\x00\x01"s;
  return source + destination + "\x9c\x40\x00\x19"s;
}

std::string tlv(unsigned char type, const std::string& value) {
  std::string out(1, static_cast<char>(type));
  out += static_cast<char>(value.size() >> 8);
  out += static_cast<char>(value.size() & 0xff);
  return out + value;
}

ProxyHeader parsed(const std::string& bytes) {
  ProxyParse p = parseProxyHeader(bytes);
  const auto* h = std::get_if<ProxyHeader>(&p);
  EXPECT_NE(h, nullptr) << (std::holds_alternative<ProxyInvalid>(p)
                                ? std::get<ProxyInvalid>(p).reason
                                : std::string("needs more"));
  return h ? *h : ProxyHeader{};
}

bool isInvalid(const std::string& bytes) {
  return std::holds_alternative<ProxyInvalid>(parseProxyHeader(bytes));
}

bool needsMore(const std::string& bytes) {
  return std::holds_alternative<ProxyNeedMore>(parseProxyHeader(bytes));
}

TEST(ProxyHeader, V1Tcp4) {
  ProxyHeader h = parsed("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\nEHLO x\r\n");
  EXPECT_EQ(h.version, 1);
  EXPECT_EQ(h.command, ProxyHeader::Command::kProxy);
  ASSERT_TRUE(h.source && h.destination);
  EXPECT_EQ(h.source->toString(), "192.0.2.10:40000");
  EXPECT_EQ(h.destination->toString(), "198.51.100.1:25");
  EXPECT_EQ(h.length, std::string("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n").size());
}

TEST(ProxyHeader, V1Tcp6) {
  ProxyHeader h = parsed("PROXY TCP6 2001:db8::10 2001:db8::1 0 65535\r\n");
  ASSERT_TRUE(h.source && h.destination);
  EXPECT_EQ(h.source->toString(), "[2001:db8::10]:0");
  EXPECT_EQ(h.destination->toString(), "[2001:db8::1]:65535");
}

TEST(ProxyHeader, V1Unknown) {
  for (std::string line : {"PROXY UNKNOWN\r\n"s, "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"s,
                           "PROXY UNKNOWN anything\r\n"s}) {
    ProxyHeader h = parsed(line);
    EXPECT_EQ(h.version, 1);
    EXPECT_EQ(h.command, ProxyHeader::Command::kProxy);
    EXPECT_FALSE(h.source);
    EXPECT_FALSE(h.destination);
    EXPECT_EQ(h.length, line.size());
  }
}

TEST(ProxyHeader, V1LongestLinesFit) {
  std::string ffff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  std::string tcp6 = "PROXY TCP6 " + ffff + " " + ffff + " 65535 65535\r\n";
  EXPECT_EQ(parsed(tcp6).length, tcp6.size());
  // The spec's 107 bytes: the longest TCP6 line with UNKNOWN in place of TCP6.
  std::string unknown = "PROXY UNKNOWN " + ffff + " " + ffff + " 65535 65535\r\n";
  ASSERT_EQ(unknown.size(), kProxyV1MaxBytes);
  EXPECT_EQ(parsed(unknown).length, kProxyV1MaxBytes);
}

TEST(ProxyHeader, V1TooLong) {
  std::string line = "PROXY UNKNOWN " + std::string(100, 'x') + "\r\n";
  EXPECT_TRUE(isInvalid(line));
  EXPECT_TRUE(isInvalid(line.substr(0, kProxyV1MaxBytes)));  // no CRLF in 107 bytes
  EXPECT_TRUE(needsMore(line.substr(0, kProxyV1MaxBytes - 1)));
}

TEST(ProxyHeader, V1BadSyntax) {
  for (const char* line : {
           "PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\n",       // LF without CR
           "PROXY TCP4 192.0.2.10 198.51.100.1 40000\r\n",        // too few fields
           "PROXY TCP4 192.0.2.10 198.51.100.1 40000 25 9\r\n",   // too many
           "PROXY TCP4  192.0.2.10 198.51.100.1 40000 25\r\n",    // two spaces
           "PROXY TCP4 192.0.2.10 198.51.100.1 40000 25 \r\n",    // trailing space
           "PROXY TCP4 192.0.2.10 198.51.100.1 65536 25\r\n",     // port too large
           "PROXY TCP4 192.0.2.10 198.51.100.1 040000 25\r\n",    // leading zero
           "PROXY TCP4 192.0.2.10 198.51.100.1 00 25\r\n",        // leading zero
           "PROXY TCP4 192.0.2.10 198.51.100.1 +4000 25\r\n",     // sign
           "PROXY TCP4 192.0.2.10 198.51.100.1 -1 25\r\n",        // negative
           "PROXY TCP4 192.0.2.10 198.51.100.1 4000x 25\r\n",     // junk after
           "PROXY TCP4 192.0.2.10 198.51.100.1 1234567 25\r\n",   // too many digits
           "PROXY TCP4 192.0.2.256 198.51.100.1 40000 25\r\n",    // bad octet
           "PROXY TCP4 192.0.2 198.51.100.1 40000 25\r\n",        // short address
           "PROXY TCP4 192.0.2.010 198.51.100.1 40000 25\r\n",    // leading zero octet
           "PROXY TCP4 host.example 198.51.100.1 40000 25\r\n",   // a name
           "PROXY TCP4 2001:db8::1 198.51.100.1 40000 25\r\n",    // IPv6 in TCP4
           "PROXY TCP6 192.0.2.10 2001:db8::1 40000 25\r\n",      // IPv4 in TCP6
           "PROXY TCP6 2001:db8:::1 2001:db8::1 40000 25\r\n",    // bad IPv6
           "PROXY UDP4 192.0.2.10 198.51.100.1 40000 25\r\n",     // not TCP
           "PROXY tcp4 192.0.2.10 198.51.100.1 40000 25\r\n",     // case matters
           "PROXY UNKNOWNX\r\n",                                  // not UNKNOWN
           "PROXY \r\n",                                          // no protocol
           "PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\r\n",   // stray CR
           "PROXY TCP4 192.0.2.10\t198.51.100.1 40000 25\r\n",    // tab
           "PROXY TCP4 192.0.2.10 198.51.100.1 40000 2\x80\r\n",  // non-ASCII
       }) {
    EXPECT_TRUE(isInvalid(line)) << line;
  }
}

TEST(ProxyHeader, V1ControlBytesRefusedBeforeTheLineEnds) {
  EXPECT_TRUE(isInvalid("PROXY TCP4 \x01"));
  EXPECT_TRUE(isInvalid("PROXY TCP4 1\r2"));
  EXPECT_TRUE(needsMore("PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r"));
}

TEST(ProxyHeader, V2Tcp4) {
  std::string header = v2(0x21, 0x11, kTcp4Block);
  ProxyHeader h = parsed(header + "EHLO x\r\n");
  EXPECT_EQ(h.version, 2);
  EXPECT_EQ(h.command, ProxyHeader::Command::kProxy);
  ASSERT_TRUE(h.source && h.destination);
  EXPECT_EQ(h.source->toString(), "192.0.2.10:40000");
  EXPECT_EQ(h.destination->toString(), "198.51.100.1:25");
  EXPECT_EQ(h.length, 28u);
}

TEST(ProxyHeader, V2Tcp6) {
  ProxyHeader h = parsed(v2(0x21, 0x21, tcp6Block()));
  ASSERT_TRUE(h.source && h.destination);
  EXPECT_EQ(h.source->toString(), "[2001:db8::10]:40000");
  EXPECT_EQ(h.destination->toString(), "[2001:db8::1]:25");
  EXPECT_EQ(h.length, 52u);
}

TEST(ProxyHeader, V2TlvsAreSkipped) {
  std::string block =
      kTcp4Block + tlv(0x01, "smtp") + tlv(0x04, "") + tlv(0x20, std::string(40, 'z'));
  std::string header = v2(0x21, 0x11, block);
  ProxyHeader h = parsed(header + "EHLO");
  EXPECT_EQ(h.length, header.size());
  EXPECT_EQ(h.source->toString(), "192.0.2.10:40000");
}

TEST(ProxyHeader, V2MalformedTlvs) {
  EXPECT_TRUE(isInvalid(v2(0x21, 0x11, kTcp4Block + "\x01\x00"s)));        // short TLV header
  EXPECT_TRUE(isInvalid(v2(0x21, 0x11, kTcp4Block + "\x01\x00\x05xy"s)));  // value overruns
}

TEST(ProxyHeader, V2Local) {
  // LOCAL ignores the family and whatever the block holds.
  for (unsigned char family : {0x00, 0x11, 0x21, 0x31, 0x12, 0xff}) {
    std::string header = v2(0x20, family, family == 0x11 ? kTcp4Block : "");
    ProxyHeader h = parsed(header);
    EXPECT_EQ(h.command, ProxyHeader::Command::kLocal);
    EXPECT_FALSE(h.source);
    EXPECT_EQ(h.length, header.size());
  }
}

TEST(ProxyHeader, V2Unspec) {
  ProxyHeader h = parsed(v2(0x21, 0x00, ""));
  EXPECT_EQ(h.command, ProxyHeader::Command::kProxy);
  EXPECT_FALSE(h.source);
  EXPECT_FALSE(h.destination);
  EXPECT_EQ(parsed(v2(0x21, 0x00, "abc")).length, 19u);
}

TEST(ProxyHeader, V2WrongVersionCommandFamily) {
  EXPECT_TRUE(isInvalid(v2(0x11, 0x11, kTcp4Block)));  // version 1 in binary
  EXPECT_TRUE(isInvalid(v2(0x31, 0x11, kTcp4Block)));  // version 3
  EXPECT_TRUE(isInvalid(v2(0x22, 0x11, kTcp4Block)));  // command 2
  EXPECT_TRUE(isInvalid(v2(0x2f, 0x11, kTcp4Block)));
  for (unsigned char family : {0x12, 0x22, 0x31, 0x32, 0x10, 0x20, 0x01, 0x41, 0x13}) {
    EXPECT_TRUE(isInvalid(v2(0x21, family, std::string(216, '\0')))) << int(family);
  }
  // Refused as soon as the bad byte arrives, not after the whole header.
  EXPECT_TRUE(isInvalid(kV2Signature + "\x31"s));
  EXPECT_TRUE(isInvalid(kV2Signature + "\x21\x31"s));
}

TEST(ProxyHeader, V2LengthBounds) {
  EXPECT_TRUE(isInvalid(v2(0x21, 0x11, kTcp4Block.substr(0, 11))));  // block too short
  EXPECT_TRUE(isInvalid(v2(0x21, 0x21, kTcp4Block)));                // IPv4 block, IPv6 family
  std::string most = kTcp4Block + tlv(0x20, std::string(kProxyHeaderMaxBytes - 16 - 12 - 3, 'z'));
  EXPECT_EQ(parsed(v2(0x21, 0x11, most)).length, kProxyHeaderMaxBytes);
  EXPECT_TRUE(isInvalid(v2(0x21, 0x11, most + "z")));
  // The length alone is enough to refuse.
  EXPECT_TRUE(isInvalid(kV2Signature + "\x21\x11\xff\xff"s));
}

TEST(ProxyHeader, EveryPrefixOfAValidHeaderNeedsMore) {
  std::vector<std::string> headers = {
      "PROXY TCP4 192.0.2.10 198.51.100.1 40000 25\r\n",
      "PROXY TCP6 2001:db8::10 2001:db8::1 40000 25\r\n",
      "PROXY UNKNOWN\r\n",
      v2(0x21, 0x11, kTcp4Block),
      v2(0x21, 0x21, tcp6Block()),
      v2(0x21, 0x11, kTcp4Block + tlv(0x05, "unique-id")),
      v2(0x20, 0x00, ""),
      v2(0x21, 0x00, ""),
  };
  for (const std::string& header : headers) {
    for (std::size_t n = 0; n < header.size(); ++n) {
      EXPECT_TRUE(needsMore(header.substr(0, n))) << n << " bytes of " << header;
    }
    EXPECT_EQ(parsed(header).length, header.size());
  }
}

TEST(ProxyHeader, Garbage) {
  for (const std::string& bytes :
       {"EHLO client.example\r\n"s, "GET / HTTP/1.0\r\n"s, "proxy TCP4"s, "PROXX"s, "\r\n\r\n\x01"s,
        "\r\n\r\n\0\r\nQUIT\r"s, "\x16\x03\x01"s, "P ROXY"s, " PROXY"s, "\0"s}) {
    EXPECT_TRUE(isInvalid(bytes)) << bytes;
  }
}

TEST(ProxyHeader, NothingYetNeedsMore) {
  EXPECT_TRUE(needsMore(""));
}

}  // namespace
}  // namespace ts
