// /staff/decisions: the recent decisions, newest first, narrowed by sender domain, action
// and a piece of the reason.
#pragma once

#include "web/staff_page.h"

namespace ts {

void showStaffDecisions(const StaffRequest& request, const HttpReply& reply);

}  // namespace ts
