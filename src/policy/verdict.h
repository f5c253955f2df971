// The closed set of decisions a stage can reach. Only the session turns one into a reply;
// Quarantine is its own verdict so it can never silently become Accept.
#pragma once

#include <string_view>

namespace ts {

enum class Verdict { kContinue, kAccept, kTempFail, kReject, kRejectDisconnect, kQuarantine };

std::string_view verdictName(Verdict v);

}  // namespace ts
