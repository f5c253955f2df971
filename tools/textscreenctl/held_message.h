// Reading one quarantined message for show and release; its release state is described
// by the shared rules (store/quarantine_release_rules.h).
#pragma once

#include <optional>
#include <string>

#include "cli_context.h"
#include "store/quarantine_release_rules.h"
#include "store/records.h"

namespace ts::ctl {

struct HeldMessage {
  std::optional<store::QuarantineRecord> record;
  int exit_code = kExitOk;  // when record is empty: the message is printed already
};

HeldMessage loadHeld(CliContext& ctx, std::string_view ref_text);

// The release state and the not-held message read the same here and on the dashboard.
using store::notHeldMessage;
using store::releasedText;

}  // namespace ts::ctl
