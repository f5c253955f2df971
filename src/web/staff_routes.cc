// Every staff page, one line each: the router (web_site.cc) signs the user in, checks a
// POST's CSRF token, then calls the handler listed here for the path.
#include <array>

#include "web/staff_overview.h"
#include "web/staff_page.h"
#include "web/staff_quarantine.h"
#include "web/staff_quarantine_release.h"

namespace ts {

std::span<const StaffRoute> staffRoutes() {
  static constexpr std::array kRoutes = {
      StaffRoute{"/staff/", HttpMethod::kGet, showStaffOverview},
      StaffRoute{"/staff/quarantine", HttpMethod::kGet, showStaffQuarantine},
      StaffRoute{"/staff/quarantine/release", HttpMethod::kPost, releaseFromQuarantine},
  };
  return kRoutes;
}

}  // namespace ts
