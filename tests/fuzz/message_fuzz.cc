// Fuzzes what reads a hostile message at end of data: MIME extraction (GMime, libxml2),
// the header compliance check and the bulk fingerprint. None may crash or run away, and
// a fingerprint is always identical to itself.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checks/content/message_content.h"
#include "checks/fingerprint/body_fingerprint.h"
#include "checks/headers/header_check.h"
#include "policy/action.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  ts::MessageContent content = ts::extractContent(raw);
  if (content.size != size) std::abort();
  ts::BodyFingerprint fp = ts::fingerprintBody(content.text);
  if (!fp.empty && ts::similarity(fp, fp) != 1.0) std::abort();

  static const ts::HeaderConfig config = [] {
    ts::HeaderConfig c;
    c.action = ts::Action::kReject;
    c.date_action = ts::Action::kReject;
    return c;
  }();
  ts::HeaderCheck check(config);
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
  for (const ts::CheckResult& r : check.evaluate(raw, size % 2 == 0, now)) {
    if (r.reason.empty() || r.enhanced.empty()) std::abort();
  }
  return 0;
}
