// The mapping follows RFC 8601 2.7.1 as dkim_check.h states the contract: fail when the
// cryptography was checked and did not match (signature or body hash, a cut body); permerror
// when the signature could not be used at all (malformed, expired, unsupported algorithm,
// no key, revoked or unusable key); temperror only when the key lookup failed temporarily.
#include "checks/dkim/dkim_signature_reader.h"

#include <fmt/format.h>

#include <charconv>
#include <string_view>

#include "util/ascii.h"
#include "util/domain_labels.h"
#include "util/printable.h"

namespace ts {
namespace {

constexpr std::size_t kNameMax = 255;        // a d= or s= in the record and the detail
constexpr std::size_t kAlgorithmMax = 32;    // longer than any algorithm name
constexpr std::size_t kReasonNameMax = 120;  // a key name inside a reason
constexpr std::size_t kMaxDnsName = 253;

std::string_view tagValue(DKIM_SIGINFO* sig, const char* tag) {
  // libopendkim takes the tag name as unsigned char* but only reads it.
  u_char* value =
      dkim_sig_gettagvalue(sig, false, const_cast<u_char*>(reinterpret_cast<const u_char*>(tag)));
  if (value == nullptr) return {};
  return reinterpret_cast<const char*>(value);
}

std::string text(const unsigned char* value, std::size_t max) {
  if (value == nullptr) return {};
  return printableAscii(reinterpret_cast<const char*>(value), max);
}

// Letters, digits, hyphens and underscores (selectors use them): anything else cannot be
// asked as a name.
bool isKeyLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string nameOf(const DkimSignature& s, const FetchedKey* key) {
  std::string name = key ? key->name : keyName(s);
  if (name.empty()) name = s.selector + "._domainkey." + s.domain;
  return printableAscii(name, kReasonNameMax);
}

void set(SignatureFinding& f, Outcome outcome, std::string reason, std::string advice) {
  f.signature.outcome = outcome;
  f.signature.reason = std::move(reason);
  f.advice = std::move(advice);
}

void setPass(DKIM* dkim, DKIM_SIGINFO* sig, SignatureFinding& f) {
  if (!f.signature.body_length_limited) {
    set(f, Outcome::kPass, "verified", "");
    return;
  }
  ssize_t body = -1;
  ssize_t canonical = -1;
  ssize_t signed_length = -1;
  (void)dkim_sig_getcanonlen(dkim, sig, &body, &canonical, &signed_length);
  std::string reason =
      fmt::format("verified, but signed only the first {} bytes of the body", f.body_length);
  if (body > canonical && canonical >= 0) {
    reason += fmt::format("; {} bytes after them are unsigned", body - canonical);
  }
  set(f, Outcome::kPass, std::move(reason), "");
}

// A signature libopendkim never got to: its key lookup did not give a usable record.
void setUnprocessed(const FetchedKey* key, SignatureFinding& f) {
  if (key != nullptr && key->answered && dns::isTemporary(key->status)) {
    set(f, Outcome::kTempError, fmt::format("key lookup failed: {}", dns::toString(key->status)),
        "try again later");
  } else if (key != nullptr && key->too_long) {
    set(f, Outcome::kPermError,
        fmt::format("the key record at {} is longer than this verifier reads",
                    nameOf(f.signature, key)),
        "publish a shorter key record (an RSA key of at most 4096 bits, or ed25519)");
  } else {
    set(f, Outcome::kPermError, "the signature could not be verified", "");
  }
}

void setKeyError(const FetchedKey* key, int error, SignatureFinding& f) {
  std::string name = nameOf(f.signature, key);
  switch (error) {
    case DKIM_SIGERROR_NOKEY:
      set(f, Outcome::kPermError, fmt::format("no key published at {}", name),
          "publish the public key there, or sign with a selector whose key is published");
      return;
    case DKIM_SIGERROR_KEYREVOKED:
      set(f, Outcome::kPermError, fmt::format("the key at {} is revoked (empty p=)", name),
          "sign with a current key");
      return;
    case DKIM_SIGERROR_KEYTOOSMALL:
      set(f, Outcome::kPermError, fmt::format("the key at {} is shorter than 1024 bits", name),
          "sign with an RSA key of at least 2048 bits (RFC 8301)");
      return;
    default: {
      const char* why = dkim_sig_geterrorstr(error);
      set(f, Outcome::kPermError,
          fmt::format("the key record at {} is unusable: {}", name, why ? why : "unknown error"),
          "publish a key record as RFC 6376 3.6.1 describes it");
      return;
    }
  }
}

void judge(DKIM* dkim, DKIM_SIGINFO* sig, const FetchedKey* key, SignatureFinding& f) {
  unsigned int flags = dkim_sig_getflags(sig);
  int error = dkim_sig_geterror(sig);
  bool header_verified = (flags & DKIM_SIGFLAG_PASSED) != 0;
  bool body_matches = dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH;
  if ((error == DKIM_SIGERROR_OK || error == DKIM_SIGERROR_UNKNOWN) && header_verified &&
      body_matches) {
    setPass(dkim, sig, f);
    return;
  }
  switch (error) {
    case DKIM_SIGERROR_UNKNOWN:
      if ((flags & DKIM_SIGFLAG_PROCESSED) == 0) {
        setUnprocessed(key, f);
        return;
      }
      [[fallthrough]];
    case DKIM_SIGERROR_OK:
    case DKIM_SIGERROR_BADSIG:
      if (!header_verified) {
        set(f, Outcome::kFail, "signature does not verify",
            fmt::format("the signed header fields were changed after signing, or the key at {} "
                        "is not the one that signed; sign after the last change, with the "
                        "published key",
                        nameOf(f.signature, key)));
      } else {
        set(f, Outcome::kFail, "body hash mismatch",
            "the message was changed after signing (a footer, a disclaimer, a re-encoding); "
            "sign it again after the last change");
      }
      return;
    case DKIM_SIGERROR_TOOLARGE_L:
      set(f, Outcome::kFail, "the body is shorter than the signed length (l=)",
          "the body was cut after signing; sign the message as it is sent");
      return;
    case DKIM_SIGERROR_KEYFAIL:
      set(f, Outcome::kTempError, "key lookup failed", "try again later");
      return;
    case DKIM_SIGERROR_NOKEY:
    case DKIM_SIGERROR_KEYREVOKED:
    case DKIM_SIGERROR_KEYTOOSMALL:
    case DKIM_SIGERROR_DNSSYNTAX:
    case DKIM_SIGERROR_MULTIREPLY:
    case DKIM_SIGERROR_KEYVERSION:
    case DKIM_SIGERROR_KEYUNKNOWNHASH:
    case DKIM_SIGERROR_KEYHASHMISMATCH:
    case DKIM_SIGERROR_NOTEMAILKEY:
    case DKIM_SIGERROR_KEYTYPEMISSING:
    case DKIM_SIGERROR_KEYTYPEUNKNOWN:
    case DKIM_SIGERROR_KEYDECODE:
      setKeyError(key, error, f);
      return;
    case DKIM_SIGERROR_INVALID_A:
      set(f, Outcome::kPermError,
          fmt::format("unsupported algorithm {}",
                      f.signature.algorithm.empty() ? "-" : f.signature.algorithm),
          "sign with rsa-sha256 or ed25519-sha256");
      return;
    case DKIM_SIGERROR_EXPIRED:
      set(f, Outcome::kPermError, "the signature has expired (x=)",
          "sign the message again, with an expiry (x=) well after delivery");
      return;
    case DKIM_SIGERROR_FUTURE:
      set(f, Outcome::kPermError, "the signing time (t=) is in the future",
          "correct the signing server's clock");
      return;
    default: {
      const char* why = dkim_sig_geterrorstr(error);
      set(f, Outcome::kPermError,
          fmt::format("malformed signature: {}", why ? why : "unknown error"),
          "fix the signer: its DKIM-Signature field does not follow RFC 6376");
      return;
    }
  }
}

}  // namespace

SignatureFinding describeSignature(DKIM_SIGINFO* sig) {
  SignatureFinding f;
  f.signature.domain = text(dkim_sig_getdomain(sig), kNameMax);
  f.signature.selector = text(dkim_sig_getselector(sig), kNameMax);
  f.signature.algorithm = printableAscii(tagValue(sig, "a"), kAlgorithmMax);
  std::string_view length = tagValue(sig, "l");
  if (!length.empty()) {
    f.signature.body_length_limited = true;
    long long n = -1;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), n);
    f.body_length = ec == std::errc() && end == length.data() + length.size() ? n : -1;
  }
  return f;
}

std::string keyName(const DkimSignature& s) {
  if (s.domain.empty() || s.selector.empty()) return {};
  std::string name = asciiLower(s.selector + "._domainkey." + s.domain);
  if (name.size() > kMaxDnsName || !everyLabel(name, isKeyLabel)) return {};
  return name;
}

bool isForbiddenAlgorithm(const DkimSignature& s) {
  return asciiEqualsIgnoreCase(s.algorithm, "rsa-sha1");
}

void settleForbiddenAlgorithm(SignatureFinding& f) {
  set(f, Outcome::kPermError, "rsa-sha1 is no longer accepted (RFC 8301)",
      "sign with rsa-sha256 or ed25519-sha256");
}

void settleNotADnsName(SignatureFinding& f) {
  set(f, Outcome::kPermError, "its domain (d=) and selector (s=) do not make a DNS name",
      "sign with a domain and a selector made of letters, digits, hyphens and dots");
}

void settleBeyondLimit(SignatureFinding& f, unsigned max_signatures) {
  set(f, Outcome::kNeutral,
      fmt::format("not verified: only the first {} signatures are checked", max_signatures),
      fmt::format("sign with at most {} signatures", max_signatures));
}

void readResult(DKIM* dkim, DKIM_SIGINFO* sig, const FetchedKey* key, SignatureFinding& f) {
  judge(dkim, sig, key, f);
  // RFC 6376 3.6.1 t=y: a testing key's failures count as if the message were unsigned.
  bool testing = (dkim_sig_getflags(sig) & DKIM_SIGFLAG_TESTKEY) != 0;
  if (testing &&
      (f.signature.outcome == Outcome::kFail || f.signature.outcome == Outcome::kPermError)) {
    f.signature.outcome = Outcome::kNeutral;
    f.signature.reason += " (the key is in testing mode, t=y)";
  }
}

}  // namespace ts
