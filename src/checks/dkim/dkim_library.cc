// The libopendkim options, and why each is set. Verified by experiment with libopendkim
// 2.11.0~beta2 (Debian 12): without DELAYSIGPROC the key lookup runs inside dkim_eoh();
// with it, dkim_eoh() only parses the signatures and the lookups all run inside dkim_eom().
#include "checks/dkim/dkim_library.h"

namespace ts {
namespace {

// The handle's user context is the source its verification registered.
DKIM_CBSTAT lookupKey(DKIM* dkim, DKIM_SIGINFO* sig, u_char* buf, size_t buflen) {
  auto* source = static_cast<DkimKeySource*>(dkim_get_user_context(dkim));
  if (source == nullptr) return DKIM_CBSTAT_ERROR;
  return source->keyFor(sig, buf, buflen);
}

// libopendkim's own resolver (res_query) blocks. The key lookup above answers every
// signature, so this is never reached; if a future libopendkim finds another way to DNS,
// it fails at once (the signature's key "could not be fetched") instead of blocking.
int refuseQuery(void*, int, unsigned char*, unsigned char*, size_t, void**) {
  return DKIM_DNS_ERROR;
}

void setOptions(DKIM_LIB* lib) {
  // DELAYSIGPROC: keys are asked at dkim_eom, after the run fetched them all, rather than
  // at dkim_eoh. BADSIGHANDLES: a malformed DKIM-Signature still gets a handle with its
  // error, so it is reported (permerror) instead of silently dropped. Not set: FIXCRLF (the
  // message already has CRLF line ends), TMPFILES (no disk), CACHE (our DNS cache does it),
  // EOHCHECK and VERIFYONE (every signature gets its own result), STRICTHDRS (refuses
  // messages without Date and leaks on an unparsable From; DMARC judges From).
  unsigned int flags = DKIM_LIBFLAGS_DELAYSIGPROC | DKIM_LIBFLAGS_BADSIGHANDLES;
  (void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags);
  // RFC 8301: keys under 1024 bits must not be accepted.
  unsigned int min_bits = 1024;
  (void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &min_bits, sizeof min_bits);
  dkim_set_key_lookup(lib, lookupKey);
  dkim_dns_set_init(lib, nullptr);
  dkim_dns_set_close(lib, nullptr);
  dkim_dns_set_query_start(lib, refuseQuery);
}

}  // namespace

DkimLibrary::DkimLibrary() : lib_(dkim_init(nullptr, nullptr)) {
  if (lib_ != nullptr) setOptions(lib_);
}

DkimLibrary::~DkimLibrary() {
  if (lib_ != nullptr) dkim_close(lib_);
}

DKIM* DkimLibrary::verifier(DkimKeySource& source) const {
  if (lib_ == nullptr) return nullptr;
  DKIM_STAT status = DKIM_STAT_OK;
  DKIM* dkim =
      dkim_verify(lib_, reinterpret_cast<const unsigned char*>("textscreen"), nullptr, &status);
  if (dkim == nullptr) return nullptr;
  dkim_set_user_context(dkim, static_cast<void*>(&source));
  return dkim;
}

}  // namespace ts
