// /staff/: the dashboard's front page, the daemon's live figures in words, and the
// fragment of the same table the page's script fetches to keep them current.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "web/staff_page.h"

namespace ts {

void showStaffOverview(const StaffRequest& request, const HttpReply& reply);
// /staff/fragment/counters: the table alone, for data-refresh.
void showStaffCounters(const StaffRequest& request, const HttpReply& reply);

// <table id="counters"> of a status() answer: one <tr data-counter="KEY"> per figure.
std::string countersTableHtml(const nlohmann::json& status);

}  // namespace ts
