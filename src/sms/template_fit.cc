// A binary search over the body's code points: the parts a text takes never shrink as its
// body grows, and each probe fills and counts the template once.
#include "sms/template_fit.h"

#include <algorithm>
#include <string>
#include <vector>

#include "sms/utf8_text.h"

namespace ts::sms {
namespace {

constexpr std::size_t kWordBoundaryWindow = 20;  // code points
// No encoding holds more than this many characters in a part.
constexpr std::size_t kMaxCharactersPerPart = 160;

bool isBlank(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

// Byte offsets where the body may be cut: after 0, 1, 2 ... code points, up to limit.
std::vector<std::size_t> cutOffsets(std::string_view body, std::size_t limit) {
  std::vector<std::size_t> offsets{0};
  for (std::size_t at = 0; at < body.size() && offsets.size() <= limit;) {
    at += decodeCodePoint(body.substr(at)).length;
    offsets.push_back(at);
  }
  return offsets;
}

std::string filledWithCut(const SmsTemplate& tmpl, const SmsFields& fields, std::size_t end) {
  std::string_view kept = fields.body.substr(0, end);
  while (!kept.empty() && isBlank(kept.back())) kept.remove_suffix(1);
  std::string body(kept);
  body += kTruncationMarker;
  SmsFields cut = fields;
  cut.body = body;
  return expandSmsTemplate(tmpl, cut);
}

}  // namespace

std::optional<FittedText> fitByCuttingBody(const SmsTemplate& tmpl, const SmsFields& fields,
                                           unsigned max_segments) {
  std::size_t max_parts = std::max(1u, max_segments);
  auto fits = [&](std::size_t end) {
    return countSegments(filledWithCut(tmpl, fields, end)).segments <= max_parts;
  };
  std::vector<std::size_t> cuts = cutOffsets(fields.body, max_parts * kMaxCharactersPerPart);
  if (!fits(0)) return std::nullopt;
  std::size_t low = 0;  // cuts[low] fits
  std::size_t high = cuts.size();
  while (high - low > 1) {
    std::size_t mid = low + (high - low) / 2;
    (fits(cuts[mid]) ? low : high) = mid;
  }
  std::size_t end = cuts[low];
  if (end < fields.body.size() && !isBlank(fields.body[end])) {
    for (std::size_t i = low; i > 0 && low - i < kWordBoundaryWindow; --i) {
      if (isBlank(fields.body[cuts[i - 1]])) {
        end = cuts[i - 1];
        break;
      }
    }
  }
  std::string text = filledWithCut(tmpl, fields, end);
  SegmentCount count = countSegments(text);
  // Cutting the body shorter never needs more parts; the check keeps the promise even if
  // a text ever proved that wrong.
  if (count.segments > max_parts) return std::nullopt;
  return FittedText{std::move(text), count, true};
}

}  // namespace ts::sms
