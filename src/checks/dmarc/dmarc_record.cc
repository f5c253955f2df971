// libopendmarc 1.4 parses the record, but only a copy holding the tags this check reads,
// each short and each optional one valid, because its parser mishandles the others (see
// essentialTags); p= and sp= are judged by libopendmarc alone.
#include "checks/dmarc/dmarc_record.h"

#include <opendmarc/dmarc.h>

#include <array>
#include <memory>

#include "util/ascii.h"

namespace ts {
namespace {

// The longest value any kept tag can have ("quarantine"), with room for spacing.
constexpr std::size_t kMaxTagValue = 32;

bool isWsp(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && isWsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && isWsp(s.back())) s.remove_suffix(1);
  return s;
}

bool isPercent(std::string_view v) {
  if (v.empty() || v.size() > 3) return false;
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  return n <= 100;
}

// The value may be kept for libopendmarc; false drops the tag (its default applies).
bool keepTag(std::string_view name, std::string_view value) {
  if (value.empty() || value.size() > kMaxTagValue) return false;
  if (name == "pct") return isPercent(value);
  if (name == "adkim" || name == "aspf") {
    return asciiEqualsIgnoreCase(value, "r") || asciiEqualsIgnoreCase(value, "s");
  }
  return name == "v" || name == "p" || name == "sp";
}

// The record reduced to v, p, sp and valid adkim, aspf and pct. libopendmarc copies every
// tag into 512-byte buffers and leaves one of exactly 512 bytes unterminated (anyone can
// publish a record, so that would be read past its end); it turns rf=iodef into aspf=2,
// reads pct=abc as 0 and refuses a whole record for pct=150. RFC 7489 6.3 wants bad values
// to give way to the defaults, which is what dropping them does.
std::string essentialTags(std::string_view txt) {
  std::string out;
  while (!txt.empty()) {
    std::size_t semicolon = txt.find(';');
    std::string_view tag = txt.substr(0, semicolon);
    txt = semicolon == std::string_view::npos ? std::string_view() : txt.substr(semicolon + 1);
    std::size_t eq = tag.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name = asciiLower(trimmed(tag.substr(0, eq)));
    std::string_view value = trimmed(tag.substr(eq + 1));
    if (!keepTag(name, value)) continue;
    if (!out.empty()) out += "; ";
    out += name;
    out += '=';
    out += name == "adkim" || name == "aspf" ? asciiLower(value) : std::string(value);
  }
  return out;
}

struct PolicyFree {
  void operator()(DMARC_POLICY_T* ctx) const { opendmarc_policy_connect_shutdown(ctx); }
};

DmarcPolicy policyOf(int letter) {
  if (letter == DMARC_RECORD_P_REJECT) return DmarcPolicy::kReject;
  if (letter == DMARC_RECORD_P_QUARANTINE) return DmarcPolicy::kQuarantine;
  return DmarcPolicy::kNone;
}

}  // namespace

// opendmarc_policy_library_init only copies its argument (no TLD file, no name servers:
// this check never lets libopendmarc resolve or align), but it is the documented first
// call, so it is made once.
void initDmarcRecordParser() {
  static const bool done = [] {
    OPENDMARC_LIB_T lib{};
    lib.tld_type = OPENDMARC_TLD_TYPE_NONE;
    lib.nscount = 0;
    opendmarc_policy_library_init(&lib);
    return true;
  }();
  (void)done;
}

std::string_view policyName(DmarcPolicy policy) {
  switch (policy) {
    case DmarcPolicy::kReject:
      return "reject";
    case DmarcPolicy::kQuarantine:
      return "quarantine";
    case DmarcPolicy::kNone:
      return "none";
  }
  return "none";
}

bool isDmarcRecord(std::string_view txt) {
  if (txt.empty() || (txt.front() != 'v' && txt.front() != 'V')) return false;
  txt.remove_prefix(1);
  while (!txt.empty() && (txt.front() == ' ' || txt.front() == '\t')) txt.remove_prefix(1);
  if (txt.empty() || txt.front() != '=') return false;
  txt.remove_prefix(1);
  while (!txt.empty() && (txt.front() == ' ' || txt.front() == '\t')) txt.remove_prefix(1);
  // The version value is case-sensitive in the RFC's ABNF; "v=DMARC10" is another version.
  if (txt.substr(0, 6) != "DMARC1") return false;
  txt.remove_prefix(6);
  return txt.empty() || txt.front() == ';' || txt.front() == ' ' || txt.front() == '\t';
}

Result<DmarcRecord> parseDmarcRecord(std::string_view txt, std::string_view domain) {
  initDmarcRecordParser();
  std::string record = essentialTags(txt);
  std::string from(domain);
  // connect_init wants the client's address for reports; no report is written from it.
  std::string address = "0.0.0.0";
  std::unique_ptr<DMARC_POLICY_T, PolicyFree> ctx(
      opendmarc_policy_connect_init(reinterpret_cast<u_char*>(address.data()), 0));
  if (!ctx) return fail(std::string("libopendmarc could not allocate a context"));
  OPENDMARC_STATUS_T status =
      record.empty()
          ? DMARC_PARSE_ERROR_EMPTY
          : opendmarc_policy_store_dmarc(ctx.get(), reinterpret_cast<u_char*>(record.data()),
                                         reinterpret_cast<u_char*>(from.data()), nullptr);
  if (status != DMARC_PARSE_OKAY) return fail(std::string(opendmarc_policy_status_to_str(status)));
  int p = 0, sp = 0, pct = 100, adkim = 0, aspf = 0;
  opendmarc_policy_fetch_p(ctx.get(), &p);
  opendmarc_policy_fetch_sp(ctx.get(), &sp);
  opendmarc_policy_fetch_pct(ctx.get(), &pct);
  opendmarc_policy_fetch_adkim(ctx.get(), &adkim);
  opendmarc_policy_fetch_aspf(ctx.get(), &aspf);
  DmarcRecord r;
  r.p = policyOf(p);
  r.has_sp = sp != DMARC_RECORD_P_UNSPECIFIED;
  r.sp = r.has_sp ? policyOf(sp) : r.p;
  r.adkim = adkim == DMARC_RECORD_A_STRICT ? Alignment::kStrict : Alignment::kRelaxed;
  r.aspf = aspf == DMARC_RECORD_A_STRICT ? Alignment::kStrict : Alignment::kRelaxed;
  r.pct = pct < 0 ? 100 : pct > 100 ? 100 : pct;
  return r;
}

}  // namespace ts
