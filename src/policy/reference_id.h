// Reference ids tie a reply to its log lines and decision record: "ts-" and 13 base32
// characters (65 random bits), unguessable so one sender cannot look up another's mail.
#pragma once

#include <string>

namespace ts {

inline constexpr std::size_t kReferenceIdLength = 16;

std::string newReferenceId();
bool isReferenceId(std::string_view text);

}  // namespace ts
