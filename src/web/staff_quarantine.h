// /staff/quarantine: the held messages, newest first, each with a Release button (and a
// force box where the release rules would otherwise refuse it: stale or interrupted).
#pragma once

#include "web/staff_page.h"

namespace ts {

void showStaffQuarantine(const StaffRequest& request, const HttpReply& reply);

}  // namespace ts
