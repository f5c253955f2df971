// The RFC5322.From domain DMARC judges (RFC 7489 6.6.1): exactly one From: field holding
// exactly one mailbox with a domain. Anything else has no single domain whose policy
// could apply, so the check says what is wrong instead of guessing one.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace ts {

// g_mime_init, once per process; fromDomain calls it too, this lets the owner do it early.
void initFromHeaderParser();

// The From: domain of message (CRLF line ends; only the header section is read), in lower
// case without a trailing dot. An internationalised domain comes in A-labels ("bücher.de"
// and "xn--bcher-kva.de" both give the latter), the form _dmarc is looked up under and
// DKIM d= is written in. The error says in plain words what is wrong with the From: field.
Result<std::string> fromDomain(std::string_view message);

}  // namespace ts
