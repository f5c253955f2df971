// Fuzzes the SMS text of a mail (issue 12): segment counting, truncation, the template
// setting and the whole composition. Whatever the bytes, the result is valid UTF-8, fits
// the number of parts asked for, is counted the same when counted again, and when cut is a
// beginning of the text followed by the marker.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sms/sms_body.h"
#include "sms/sms_segments.h"
#include "sms/sms_template.h"
#include "sms/utf8_text.h"
#include "util/utf8.h"

namespace {

void checkFitted(const ts::sms::FittedText& fitted, unsigned max_segments) {
  if (!ts::isValidUtf8(fitted.text)) std::abort();
  if (fitted.count.segments > max_segments) std::abort();
  ts::sms::SegmentCount recount = ts::sms::countSegments(fitted.text);
  if (recount.segments != fitted.count.segments || recount.units != fitted.count.units ||
      recount.encoding != fitted.count.encoding) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the limit, the rest is the text, the template and the mail.
  unsigned max_segments = 1 + data[0] % 10;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  ts::sms::FittedText fitted = ts::sms::fitToSegments(input, max_segments);
  checkFitted(fitted, max_segments);
  std::string valid = ts::sms::withValidUtf8(input);
  if (!fitted.truncated && fitted.text != valid) std::abort();
  if (fitted.truncated) {
    std::string_view marker = ts::sms::kTruncationMarker;
    if (!fitted.text.ends_with(marker)) std::abort();
    std::size_t kept = fitted.text.size() - marker.size();
    if (valid.compare(0, kept, fitted.text, 0, kept) != 0) std::abort();
  }

  ts::Result<ts::sms::SmsTemplate> tmpl = ts::sms::parseSmsTemplate(input);
  if (tmpl.ok()) {
    if (!ts::isValidUtf8(tmpl->text)) std::abort();
    checkFitted(ts::sms::composeSms("Subject: s\r\n\r\nb", "x@example.com", *tmpl, max_segments),
                max_segments);
  } else if (tmpl.error().message.empty()) {
    std::abort();
  }

  // The body is not last, so cutting the body alone is exercised too.
  static const ts::sms::SmsTemplate kTemplate{"{from} {subject}: {body} ({sender})"};
  checkFitted(ts::sms::composeSms(input, input.substr(0, 64), kTemplate, max_segments),
              max_segments);
  return 0;
}
