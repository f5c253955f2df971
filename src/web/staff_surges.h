// /staff/surges: the surges held now, each with a button that ends it (what
// `textscreenctl surge list|clear` does over the control socket).
#pragma once

#include "web/staff_page.h"

namespace ts {

void showStaffSurges(const StaffRequest& request, const HttpReply& reply);
void endStaffSurge(const StaffRequest& request, const HttpReply& reply);

}  // namespace ts
