// /staff/allowlist: the allowlist of business domains, with adding and removing entries,
// the same store `textscreenctl allow` changes.
#pragma once

#include "web/staff_page.h"

namespace ts {

void showStaffAllowlist(const StaffRequest& request, const HttpReply& reply);
void addStaffAllowEntry(const StaffRequest& request, const HttpReply& reply);
void removeStaffAllowEntry(const StaffRequest& request, const HttpReply& reply);

}  // namespace ts
