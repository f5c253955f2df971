// How many SMS parts a text takes and how to cut it to a limit. The arithmetic is the one
// handsets and carriers apply (3GPP TS 23.038 and 23.040): GSM-7 when every character is in
// the GSM alphabet, else UCS-2; a concatenated part loses room to its header.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ts::sms {

enum class Encoding { kGsm7, kUcs2 };

struct SegmentCount {
  Encoding encoding;
  // Septets (GSM-7, extension-table characters count 2) or UTF-16 code units (UCS-2).
  std::size_t units;
  // 0 for the empty text, which has nothing to send.
  std::size_t segments;
};

// GSM-7: 160 septets in a single part, 153 per part when concatenated, an escape pair never
// split across parts. UCS-2: 70 units single, 67 per part, a surrogate pair never split.
// Ill-formed UTF-8 bytes count as U+FFFD.
SegmentCount countSegments(std::string_view utf8);

inline constexpr std::string_view kTruncationMarker = "...";

struct FittedText {
  std::string text;  // valid UTF-8: ill-formed bytes become U+FFFD
  SegmentCount count;
  bool truncated;
};

// The text unchanged when it fits max_segments (0 counts as 1); else its longest beginning
// that fits together with kTruncationMarker appended, cut between code points, at a space
// or line break among the last 20 characters kept when there is one, with the whitespace
// before the marker dropped. The encoding is the one of what is kept: when the only UCS-2
// characters are in the part cut away, the result is GSM-7 and keeps as much as GSM-7 holds.
FittedText fitToSegments(std::string_view utf8, unsigned max_segments);

}  // namespace ts::sms
