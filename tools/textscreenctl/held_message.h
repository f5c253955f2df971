// Reading one quarantined message for show and release, and describing its release
// state the same way in every listing.
#pragma once

#include <optional>
#include <string>

#include "cli_context.h"
#include "store/records.h"

namespace ts::ctl {

// A release in progress is marked "WHO (releasing)" in released_by, with released_at 0.
constexpr std::string_view kReleasingMark = " (releasing)";

struct HeldMessage {
  std::optional<store::QuarantineRecord> record;
  int exit_code = kExitOk;  // when record is empty: the message is printed already
};

HeldMessage loadHeld(CliContext& ctx, std::string_view ref_text);

// "-", "alice at 2026-11-23T15:20:00Z", or "alice (releasing)".
std::string releasedText(const store::QuarantineRecord& q);
bool releaseInProgress(const store::QuarantineRecord& q);

std::string notHeldMessage(const std::string& ref);

}  // namespace ts::ctl
