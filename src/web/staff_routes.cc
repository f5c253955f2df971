// Every staff page, one line each: the router (web_site.cc) signs the user in, checks a
// POST's CSRF token, then calls the handler listed here for the path.
#include <array>

#include "web/staff_allowlist.h"
#include "web/staff_decisions.h"
#include "web/staff_lookup.h"
#include "web/staff_overview.h"
#include "web/staff_page.h"
#include "web/staff_quarantine.h"
#include "web/staff_quarantine_release.h"
#include "web/staff_surges.h"

namespace ts {

std::span<const StaffRoute> staffRoutes() {
  static constexpr std::array kRoutes = {
      StaffRoute{"/staff/", HttpMethod::kGet, showStaffOverview},
      StaffRoute{"/staff/fragment/counters", HttpMethod::kGet, showStaffCounters},
      StaffRoute{"/staff/decisions", HttpMethod::kGet, showStaffDecisions},
      StaffRoute{"/staff/lookup", HttpMethod::kGet, showStaffLookup},
      StaffRoute{"/staff/allowlist", HttpMethod::kGet, showStaffAllowlist},
      StaffRoute{"/staff/allowlist/add", HttpMethod::kPost, addStaffAllowEntry},
      StaffRoute{"/staff/allowlist/remove", HttpMethod::kPost, removeStaffAllowEntry},
      StaffRoute{"/staff/surges", HttpMethod::kGet, showStaffSurges},
      StaffRoute{"/staff/surges/end", HttpMethod::kPost, endStaffSurge},
      StaffRoute{"/staff/quarantine", HttpMethod::kGet, showStaffQuarantine},
      StaffRoute{"/staff/quarantine/release", HttpMethod::kPost, releaseFromQuarantine},
  };
  return kRoutes;
}

}  // namespace ts
