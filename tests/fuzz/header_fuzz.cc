// Fuzzes the header section readers on their own: the RFC 5322 compliance check and the
// DMARC From: domain (GMime's address parser and IDNA). message_fuzz reaches the compliance
// check only behind the MIME extraction; this target starts at the headers, with a
// dictionary of field names and address shapes. The From: domain, when there is one, is
// what DNS is asked about, so it must be a lower-case name of letters, digits, '-', '_' and
// '.' (or UTF-8 bytes IDNA could not convert, kept as written). What GMime reads has been
// made safe once and for all: a second pass changes nothing.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "checks/dmarc/from_header.h"
#include "checks/headers/header_check.h"
#include "checks/mime/gmime_safe_text.h"
#include "policy/action.h"

namespace {

bool isEnhancedCode(std::string_view code) {
  return code.size() >= 5 && (code[0] == '4' || code[0] == '5') && code[1] == '.';
}

void checkFromDomain(std::string_view raw) {
  ts::Result<std::string> domain = ts::fromDomain(raw);
  if (!domain) {
    if (domain.error().message.empty()) std::abort();
    return;
  }
  if (domain->empty() || domain->back() == '.') std::abort();
  if (domain->front() == '.' || domain->find("..") != std::string::npos) std::abort();
  for (char c : *domain) {
    auto u = static_cast<unsigned char>(c);
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || u >= 0x80;
    if (!ok) std::abort();
  }
}

// What GMime is given has no '(' left that gmimeSafeText would change.
void checkGMimeSafeText(std::string_view raw) {
  std::string storage;
  std::string again;
  std::string_view safe = ts::gmimeSafeText(raw, storage);
  if (safe.size() != raw.size()) std::abort();
  if (ts::gmimeSafeText(safe, again).data() != safe.data()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  static const ts::HeaderConfig config = [] {
    ts::HeaderConfig c;
    c.action = ts::Action::kReject;
    c.date_action = ts::Action::kReject;
    c.max_line_length = 78;
    return c;
  }();
  static const ts::HeaderCheck check(config);
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
  for (bool smtputf8 : {false, true}) {
    for (const ts::CheckResult& r : check.evaluate(raw, smtputf8, now)) {
      if (r.check.rfind("header_", 0) != 0 || r.reason.empty()) std::abort();
      if (!isEnhancedCode(r.enhanced)) std::abort();
    }
  }
  checkFromDomain(raw);
  checkGMimeSafeText(raw);
  return 0;
}
