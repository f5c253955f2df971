// What libopendkim made of one signature, in the check's words: the RFC 8601 result, a
// short reason and what the signer's admin must fix. libopendkim reports error codes and
// flags; which of them is a fail and which a permerror is decided here, in one place.
#pragma once

#include <string>

#include "checks/dkim/dkim_verdict.h"
#include "checks/dkim/opendkim.h"
#include "dns/dns_answer.h"

namespace ts {

// One key as the run fetched it, and what the key lookup callback did with it.
struct FetchedKey {
  std::string name;  // "selector._domainkey.domain", as asked
  bool answered = false;
  dns::DnsStatus status = dns::DnsStatus::kError;
  std::string record;       // the chosen TXT record when status is kOk
  bool has_record = false;  // kOk with a record (an empty answer is "no key")
  bool too_long = false;    // the record did not fit libopendkim's key buffer
};

// d=, s=, a= and l= as the signature states them (printable, cut short); no result yet.
SignatureFinding describeSignature(DKIM_SIGINFO* sig);

// "s1._domainkey.example.com" in lower case, or empty when d= or s= cannot be part of a
// DNS name: such a name is not asked at all (a resolver error would look temporary).
std::string keyName(const DkimSignature& signature);

// libopendkim accepts rsa-sha1, which RFC 8301 says verifiers must not.
bool isForbiddenAlgorithm(const DkimSignature& signature);

// Results settled before verification; the signature is then ignored by libopendkim.
void settleForbiddenAlgorithm(SignatureFinding& finding);
void settleNotADnsName(SignatureFinding& finding);
void settleBeyondLimit(SignatureFinding& finding, unsigned max_signatures);

// The result after dkim_eom (or without it, for a signature libopendkim already found
// malformed). key: what was fetched for this signature, null if nothing was asked.
void readResult(DKIM* dkim, DKIM_SIGINFO* sig, const FetchedKey* key, SignatureFinding& finding);

}  // namespace ts
