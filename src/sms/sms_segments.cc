// Parts are filled in order the way a sender's modem fills them: a character that does not
// fit in what is left of a part starts the next one, so an escape pair or a surrogate pair
// is never split and a part may end one unit short.
#include "sms/sms_segments.h"

#include <algorithm>

#include "sms/gsm7_alphabet.h"
#include "sms/utf8_text.h"

namespace ts::sms {
namespace {

constexpr std::size_t kWordBoundaryWindow = 20;  // code points

struct PartSizes {
  std::size_t single;
  std::size_t concatenated;
};

PartSizes partSizes(Encoding encoding) {
  return encoding == Encoding::kGsm7 ? PartSizes{160, 153} : PartSizes{70, 67};
}

// The units one code point takes, 0 when the encoding cannot carry it.
std::size_t unitsOf(char32_t c, Encoding encoding) {
  if (encoding == Encoding::kGsm7) return gsm7Septets(c);
  return c > 0xFFFF ? 2 : 1;
}

// Concatenated parts, filled in order.
class PartFiller {
 public:
  explicit PartFiller(std::size_t part_size) : part_size_(part_size) {}

  void add(std::size_t units) {
    if (fill_ + units > part_size_) {
      ++parts_;
      fill_ = units;
    } else {
      fill_ += units;
    }
  }
  std::size_t parts() const { return parts_; }
  // Units still free in the parts up to max_parts.
  std::size_t room(std::size_t max_parts) const {
    if (parts_ > max_parts) return 0;
    return part_size_ - fill_ + (max_parts - parts_) * part_size_;
  }

 private:
  std::size_t part_size_;
  std::size_t parts_ = 1;
  std::size_t fill_ = 0;
};

std::size_t segmentsOf(std::string_view text, Encoding encoding, std::size_t units) {
  PartSizes sizes = partSizes(encoding);
  if (units == 0) return 0;
  if (units <= sizes.single) return 1;
  PartFiller filler(sizes.concatenated);
  while (!text.empty()) {
    CodePoint cp = decodeCodePoint(text);
    filler.add(unitsOf(cp.value, encoding));
    text.remove_prefix(cp.length);
  }
  return filler.parts();
}

// The end (in bytes) of the longest beginning of text that the encoding carries, with the
// marker after it, in max_segments parts.
std::size_t longestFittingPrefix(std::string_view text, Encoding encoding,
                                 std::size_t max_segments) {
  PartSizes sizes = partSizes(encoding);
  const std::size_t marker = kTruncationMarker.size();
  std::size_t units = 0;
  PartFiller filler(sizes.concatenated);
  std::size_t at = 0;
  while (at < text.size()) {
    CodePoint cp = decodeCodePoint(text.substr(at));
    std::size_t n = unitsOf(cp.value, encoding);
    if (n == 0) break;
    units += n;
    filler.add(n);
    // Room only shrinks as the text grows: the first character that does not fit ends it.
    if (units + marker > sizes.single &&
        (max_segments == 1 || filler.room(max_segments) < marker)) {
      break;
    }
    at += cp.length;
  }
  return at;
}

bool isCutSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// Moves the cut back to a space close before it, so the last word is not cut in two.
std::size_t atWordBoundary(std::string_view text, std::size_t end) {
  if (end == text.size() || isCutSpace(text[end])) return end;
  std::size_t code_points = 0;
  for (std::size_t at = end; at > 0 && code_points < kWordBoundaryWindow;) {
    --at;
    if (isCutSpace(text[at])) return at;
    if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80) ++code_points;
  }
  return end;
}

}  // namespace

SegmentCount countSegments(std::string_view utf8) {
  std::size_t septets = 0;
  std::size_t utf16_units = 0;
  bool gsm7 = true;
  for (std::string_view rest = utf8; !rest.empty();) {
    CodePoint cp = decodeCodePoint(rest);
    std::size_t n = gsm7Septets(cp.value);
    gsm7 = gsm7 && n > 0;
    septets += n;
    utf16_units += unitsOf(cp.value, Encoding::kUcs2);
    rest.remove_prefix(cp.length);
  }
  Encoding encoding = gsm7 ? Encoding::kGsm7 : Encoding::kUcs2;
  std::size_t units = gsm7 ? septets : utf16_units;
  return SegmentCount{encoding, units, segmentsOf(utf8, encoding, units)};
}

FittedText fitToSegments(std::string_view utf8, unsigned max_segments) {
  std::size_t max_parts = std::max(1u, max_segments);
  std::string text = withValidUtf8(utf8);
  SegmentCount whole = countSegments(text);
  if (whole.segments <= max_parts) return FittedText{std::move(text), whole, false};
  // Both encodings are tried: cutting away every UCS-2 character can make GSM-7 keep more.
  std::size_t end = std::max(longestFittingPrefix(text, Encoding::kGsm7, max_parts),
                             longestFittingPrefix(text, Encoding::kUcs2, max_parts));
  end = atWordBoundary(text, end);
  while (end > 0 && isCutSpace(text[end - 1])) --end;
  text.resize(end);
  text += kTruncationMarker;
  SegmentCount count = countSegments(text);
  return FittedText{std::move(text), count, true};
}

}  // namespace ts::sms
