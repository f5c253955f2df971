// What a staff page handler gets: the request, the daemon's services, who is signed in
// and the CSRF token its forms must carry. Handlers are listed in staff_routes.cc.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "web/http_exchange.h"
#include "web/web_services.h"

namespace ts {

struct StaffRequest {
  const HttpRequest& http;
  const WebServices& services;
  std::string user;
  std::string csrf;    // for <input type="hidden" name="csrf">
  std::string notice;  // ?notice= / ?error= of a redirect after a POST, to show once
  std::string error;
};

using StaffHandler = void (*)(const StaffRequest& request, const HttpReply& reply);

struct StaffRoute {
  std::string_view path;  // exact, under /staff
  HttpMethod method;      // kGet (HEAD too) or kPost (the CSRF check has passed)
  StaffHandler handler;
};

std::span<const StaffRoute> staffRoutes();

// The hidden field every staff form carries.
std::string csrfField(const StaffRequest& request);
// <p id="notice"> / <p id="error"> for the outcome of the last POST, escaped; "" if none.
std::string outcomeHtml(const StaffRequest& request);
// Where a POST sends the browser back to: the page, with its outcome to show once.
HttpResponse backWithNotice(std::string_view page, std::string_view notice);
HttpResponse backWithError(std::string_view page, std::string_view error);
// The log line of a change made on the dashboard: who, what, on what, and how it went.
void recordStaffChange(const StaffRequest& request, std::string_view action,
                       std::string_view target, std::string_view result);

}  // namespace ts
