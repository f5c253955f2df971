// /staff/: the dashboard's front page, the daemon's live figures in words.
#pragma once

#include "web/staff_page.h"

namespace ts {

void showStaffOverview(const StaffRequest& request, const HttpReply& reply);

}  // namespace ts
