// /staff/lookup?q=: what `textscreenctl lookup` shows, in the browser. A reference id
// gives the whole decision; a sender domain or a recipient number its recent decisions.
#pragma once

#include "web/staff_page.h"

namespace ts {

void showStaffLookup(const StaffRequest& request, const HttpReply& reply);

}  // namespace ts
