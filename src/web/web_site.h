// The web pages' router: /why for the world, /static for the stylesheet and script, and
// /staff for signed-in staff (basic auth or loopback, then the CSRF check on each POST).
#pragma once

#include <chrono>
#include <functional>

#include "web/csrf_guard.h"
#include "web/http_exchange.h"
#include "web/staff_auth.h"
#include "web/web_services.h"
#include "web/why_page.h"

namespace ts {

class WebSite {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  WebSite(WebServices services, const WebSecret& key, Clock clock);
  WebSite(const WebSite&) = delete;
  WebSite& operator=(const WebSite&) = delete;

  void handle(const HttpRequest& request, const HttpReply& reply);

 private:
  void serveStaff(const HttpRequest& request, const HttpReply& reply, std::string user);
  std::int64_t now() const;

  WebServices services_;
  Clock clock_;
  CsrfGuard csrf_;
  StaffAuth auth_;
  WhyPage why_;
};

}  // namespace ts
