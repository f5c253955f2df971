// Parses the arguments of MAIL FROM and RCPT TO (RFC 5321 section 4.1.2, RFC 6531 for
// SMTPUTF8). Source routes are accepted and dropped, as RFC 5321 section 3.6.1 asks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ts::smtp {

struct Mailbox {
  std::string local_part;  // as sent, quotes included when quoted
  std::string domain;      // empty only for the null sender and bare <Postmaster>
  bool quoted = false;

  bool empty() const { return local_part.empty() && domain.empty(); }
  std::string address() const;  // local@domain, or local alone when there is no domain
};

enum class BodyType { kUnspecified, k7Bit, k8BitMime };

struct MailFrom {
  Mailbox sender;  // empty for the null sender <>
  std::optional<std::uint64_t> size;
  BodyType body = BodyType::kUnspecified;
  bool smtputf8 = false;
};

struct RcptTo {
  Mailbox recipient;
};

enum class EnvelopeError {
  kSyntax,                   // not "FROM:<path>" / "TO:<path>"
  kBadAddress,               // the path is there but the address in it is malformed
  kUnsupportedParameter,     // an ESMTP parameter we do not offer
  kNonAsciiWithoutSmtputf8,  // RFC 6531 section 3.4: needs SMTPUTF8
  kInvalidUtf8,
};

Result<MailFrom, EnvelopeError> parseMailFrom(std::string_view argument);
Result<RcptTo, EnvelopeError> parseRcptTo(std::string_view argument, bool smtputf8);

}  // namespace ts::smtp
