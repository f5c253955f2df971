// One verification per message: the header goes to libopendkim, dkim_eoh lists the
// signatures without asking for keys (DELAYSIGPROC, see dkim_library.cc), every key is asked
// of the Resolver at once, and only when all have answered are the body hashed and dkim_eom
// run; its key lookups then read what was fetched. Nothing here waits.
#include "checks/dkim/dkim_check.h"

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/dkim/dkim_library.h"
#include "checks/dkim/dkim_signature_reader.h"
#include "checks/dkim/dkim_verdict.h"
#include "checks/dns_queries.h"

namespace ts {

struct DkimCheck::Library {
  DkimLibrary dkim;
};

namespace {

using dns::DnsAnswer;

// libopendkim takes the header fields and the body as unsigned char* but copies (header)
// or only reads (body) them.
unsigned char* bytes(std::string_view text) {
  return const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(text.data()));
}

// The header fields as dkim_header wants them (each with its folding CRLFs, without the
// CRLF that ends it) and the body after the empty line. A message without the empty line
// is all header and has an empty body.
struct MessageParts {
  std::vector<std::string_view> fields;
  std::string_view body;
};

MessageParts splitMessage(std::string_view message) {
  MessageParts parts;
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t end = message.find("\r\n", pos);
    if (end == pos) {
      parts.body = message.substr(pos + 2);
      break;
    }
    // A line that starts with a space or a tab continues the field.
    while (end != std::string_view::npos && end + 2 < message.size() &&
           (message[end + 2] == ' ' || message[end + 2] == '\t')) {
      end = message.find("\r\n", end + 2);
    }
    if (end == std::string_view::npos) end = message.size();
    parts.fields.push_back(message.substr(pos, end - pos));
    pos = end + 2;
  }
  return parts;
}

// Several TXT records at one name: RFC 6376 3.6.2.2 lets the verifier choose. A record that
// says it is a DKIM key comes first, then one with a key tag; else the first, so that
// libopendkim names what is wrong with it.
std::optional<std::string> chooseKeyRecord(const std::vector<std::string>& records) {
  if (records.empty()) return std::nullopt;
  for (const std::string& r : records) {
    std::size_t start = r.find_first_not_of(" \t");
    if (start != std::string::npos && r.compare(start, 7, "v=DKIM1") == 0) return r;
  }
  for (const std::string& r : records) {
    if (r.find("p=") != std::string::npos) return r;
  }
  return records.front();
}

// A fault of libopendkim itself (out of memory) is temporary; a header it cannot read for
// a signed message is permanent.
CheckResult unreadable(DKIM* dkim, DKIM_STAT status) {
  CheckResult r;
  r.check = "dkim";
  const char* error = dkim ? dkim_geterror(dkim) : nullptr;
  std::string why = error && *error ? error : dkim_getresultstr(status);
  r.detail = "libopendkim: " + why;
  if (status == DKIM_STAT_NORESOURCE || status == DKIM_STAT_INTERNAL || dkim == nullptr) {
    r.outcome = Outcome::kTempError;
    r.enhanced = "4.3.0";
    r.reason = "DKIM temperror: the signatures could not be checked (" + why + "); try again later";
  } else {
    r.outcome = Outcome::kPermError;
    r.enhanced = "5.7.21";
    r.reason = "DKIM permerror: the message header could not be read for verification (" + why +
               "): send a header that follows RFC 5322";
  }
  return r;
}

class DkimRun final : public CheckRun, private DkimKeySource {
 public:
  DkimRun(const DkimLibrary& library, const DkimConfig& config, std::string_view message,
          dns::Resolver& resolver, DkimDone done)
      : library_(library),
        fail_score_(config.fail_score),
        max_signatures_(config.max_signatures),
        message_(message),
        queries_(resolver,
                 [this](std::size_t index, const DnsAnswer& answer) { onAnswer(index, answer); }),
        done_(std::move(done)) {}

  ~DkimRun() override {
    if (dkim_ != nullptr) dkim_free(dkim_);
  }

  void begin() {
    dkim_ = library_.verifier(*this);
    if (dkim_ == nullptr) {
      finish(unreadable(nullptr, DKIM_STAT_NORESOURCE));
      return;
    }
    MessageParts parts = splitMessage(message_);
    body_ = parts.body;
    // A field libopendkim refuses (no colon, a bad DKIM-Signature) is left out: a signature
    // that covers it fails, and a bad signature is still listed (BADSIGHANDLES).
    for (std::string_view field : parts.fields) {
      if (!field.empty()) (void)dkim_header(dkim_, bytes(field), field.size());
    }
    DKIM_STAT status = dkim_eoh(dkim_);
    if (status == DKIM_STAT_NOSIG) {
      finish(dkimResult({}, fail_score_));
      return;
    }
    DKIM_SIGINFO** sigs = nullptr;
    int count = 0;
    if (status != DKIM_STAT_OK || dkim_getsiglist(dkim_, &sigs, &count) != DKIM_STAT_OK) {
      finish(unreadable(dkim_, status));
      return;
    }
    std::vector<DnsQueries::Lookup> lookups = collect(sigs, count);
    if (!lookups.empty()) queries_.send(lookups);
    maybeFinish();  // last: it may end the run
  }

 private:
  struct Signature {
    DKIM_SIGINFO* sig = nullptr;  // owned by dkim_
    SignatureFinding finding;
    bool settled = false;            // judged without libopendkim's verification
    std::optional<std::size_t> key;  // into keys_
  };

  // Lists the signatures and the keys to fetch; every signature that will not be verified
  // is settled now and ignored by libopendkim, so it never asks for its key.
  std::vector<DnsQueries::Lookup> collect(DKIM_SIGINFO** sigs, int count) {
    std::vector<DnsQueries::Lookup> lookups;
    for (int i = 0; i < count; ++i) {
      Signature& s = signatures_.emplace_back();
      s.sig = sigs[i];
      s.finding = describeSignature(sigs[i]);
      if (signatures_.size() > max_signatures_) {
        settleBeyondLimit(s.finding, max_signatures_);
      } else if (dkim_sig_geterror(s.sig) != DKIM_SIGERROR_UNKNOWN) {
        readResult(dkim_, s.sig, nullptr, s.finding);  // malformed: libopendkim knows why
      } else if (isForbiddenAlgorithm(s.finding.signature)) {
        settleForbiddenAlgorithm(s.finding);
      } else if (std::string name = keyName(s.finding.signature); name.empty()) {
        settleNotADnsName(s.finding);
      } else {
        s.key = keyIndex(name, lookups);
        continue;
      }
      s.settled = true;
      dkim_sig_ignore(s.sig);
    }
    return lookups;
  }

  // Signatures with one selector and domain share one lookup.
  std::size_t keyIndex(const std::string& name, std::vector<DnsQueries::Lookup>& lookups) {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i].name == name) return i;
    }
    keys_.emplace_back().name = name;
    lookups.push_back({name, ns_t_txt});
    return keys_.size() - 1;
  }

  void onAnswer(std::size_t index, const DnsAnswer& answer) {
    FetchedKey& key = keys_[index];
    key.answered = true;
    key.status = answer.status;
    if (answer.status == dns::DnsStatus::kOk) {
      std::optional<std::string> record = chooseKeyRecord(answer.records);
      key.has_record = record.has_value();
      if (record) key.record = std::move(*record);
    }
    maybeFinish();  // last: it may end the run
  }

  DKIM_CBSTAT keyFor(DKIM_SIGINFO* sig, unsigned char* buf, std::size_t buflen) override {
    for (const Signature& s : signatures_) {
      if (s.sig != sig || !s.key) continue;
      FetchedKey& key = keys_[*s.key];
      if (!key.answered) return DKIM_CBSTAT_ERROR;
      if (dns::isTemporary(key.status)) return DKIM_CBSTAT_TRYAGAIN;
      if (!key.has_record) return DKIM_CBSTAT_NOTFOUND;  // NXDOMAIN, NODATA
      // libopendkim 2.11 offers 1025 bytes: enough for a 4096-bit RSA key (about 760).
      if (key.record.size() + 1 > buflen) {
        key.too_long = true;
        return DKIM_CBSTAT_ERROR;
      }
      key.record.copy(reinterpret_cast<char*>(buf), key.record.size());
      buf[key.record.size()] = '\0';
      return DKIM_CBSTAT_CONTINUE;
    }
    return DKIM_CBSTAT_ERROR;  // not a signature whose key was fetched
  }

  void maybeFinish() {
    if (finished_ || queries_.sending() || queries_.pending() > 0) return;
    bool verify = false;
    for (const Signature& s : signatures_) verify = verify || !s.settled;
    if (verify) {
      if (!body_.empty()) (void)dkim_body(dkim_, bytes(body_), body_.size());
      (void)dkim_eom(dkim_, nullptr);  // each signature's own result is read below
    }
    std::vector<SignatureFinding> findings;
    findings.reserve(signatures_.size());
    for (Signature& s : signatures_) {
      if (!s.settled) readResult(dkim_, s.sig, s.key ? &keys_[*s.key] : nullptr, s.finding);
      findings.push_back(std::move(s.finding));
    }
    CheckResult result = dkimResult(findings, fail_score_);
    DkimVerdict verdict;
    verdict.result = std::move(result);
    verdict.signatures.reserve(findings.size());
    for (SignatureFinding& f : findings) verdict.signatures.push_back(std::move(f.signature));
    finish(std::move(verdict));
  }

  void finish(CheckResult result) {
    DkimVerdict verdict;
    verdict.result = std::move(result);
    finish(std::move(verdict));
  }

  // Every path that ends the run ends here, and done is the very last thing it does: the
  // owner may destroy the run inside it.
  void finish(DkimVerdict verdict) {
    finished_ = true;
    queries_.stop();
    if (dkim_ != nullptr) {
      dkim_free(dkim_);  // the signatures' pointers die with it; nothing reads them again
      dkim_ = nullptr;
    }
    DkimDone done = std::move(done_);
    done(std::move(verdict));
  }

  const DkimLibrary& library_;  // the DkimCheck's, which outlives its runs
  double fail_score_;
  unsigned max_signatures_;
  std::string_view message_;
  std::string_view body_;
  DnsQueries queries_;
  DkimDone done_;
  DKIM* dkim_ = nullptr;
  std::vector<Signature> signatures_;
  std::vector<FetchedKey> keys_;  // index = the lookup's index in queries_
  bool finished_ = false;
};

}  // namespace

DkimCheck::DkimCheck(const DkimConfig& config)
    : config_(config), library_(std::make_unique<Library>()) {}

DkimCheck::~DkimCheck() = default;

std::unique_ptr<CheckRun> DkimCheck::start(std::string_view message, dns::Resolver& resolver,
                                           DkimDone done) const {
  auto run = std::make_unique<DkimRun>(library_->dkim, config_, message, resolver, std::move(done));
  run->begin();
  return run;
}

}  // namespace ts
