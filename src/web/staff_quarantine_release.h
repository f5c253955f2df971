// POST /staff/quarantine/release (ref, optional force): delivers a held message through
// the gateway under the rules of `textscreenctl quarantine release`, without blocking the
// loop, and sends the browser back to /staff/quarantine with what happened.
#pragma once

#include "web/staff_page.h"

namespace ts {

void releaseFromQuarantine(const StaffRequest& request, const HttpReply& reply);

}  // namespace ts
