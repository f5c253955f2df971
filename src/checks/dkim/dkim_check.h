// DKIM verification (RFC 6376) with libopendkim, at end of data. libopendkim's own key
// lookup blocks, so the signatures' selectors are collected first, their keys fetched
// with the async Resolver (TCP fallback for 4096-bit keys), and verification then runs
// with a key lookup callback that only reads what was fetched.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check_run.h"
#include "checks/dkim/dkim_config.h"
#include "dns/resolver.h"
#include "policy/check_result.h"

namespace ts {

struct DkimSignature {
  std::string domain;     // d=
  std::string selector;   // s=
  std::string algorithm;  // a=, e.g. rsa-sha256, ed25519-sha256
  // pass, fail, neutral, temperror or permerror, as RFC 8601 reports dkim= results.
  Outcome outcome = Outcome::kNone;
  std::string reason;                // plain words: "body hash did not verify", "no key published"
  bool body_length_limited = false;  // l=: what follows the signed length is unsigned
};

struct DkimVerdict {
  // pass when a signature verified; none without signatures; fail when signatures exist
  // and none verified; temperror when none verified and a key lookup failed temporarily;
  // permerror when every signature is broken (syntax, unsupported algorithm).
  CheckResult result;
  std::vector<DkimSignature> signatures;
};

using DkimDone = std::function<void(DkimVerdict)>;

class DkimCheck {
 public:
  explicit DkimCheck(const DkimConfig& config);
  ~DkimCheck();
  DkimCheck(const DkimCheck&) = delete;
  DkimCheck& operator=(const DkimCheck&) = delete;

  // message: the whole message as received (CRLF line ends, dot-stuffing removed). It
  // must stay valid until done runs or the run is destroyed. done runs exactly once
  // unless the run is destroyed first; it may run before start returns.
  std::unique_ptr<CheckRun> start(std::string_view message, dns::Resolver& resolver,
                                  DkimDone done) const;

 private:
  DkimConfig config_;
  struct Library;
  std::unique_ptr<Library> library_;  // the DKIM_LIB handle, made once per Runtime
};

}  // namespace ts
