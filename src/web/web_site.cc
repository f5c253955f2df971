// GET and HEAD are answered alike (libevent drops a HEAD's body); POST is accepted only
// under /staff, where every form changes something.
#include "web/web_site.h"

#include <fmt/format.h>

#include "web/html.h"
#include "web/staff_page.h"
#include "web/static_assets.h"

namespace ts {
namespace {

constexpr std::string_view kStaticPrefix = "/static/";

bool isRead(HttpMethod m) {
  return m == HttpMethod::kGet || m == HttpMethod::kHead;
}

HttpResponse methodNotAllowed(std::string_view allowed) {
  HttpResponse response = errorPage(405, "Not allowed", "This address does not take that method.");
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

}  // namespace

WebSite::WebSite(WebServices services, const WebSecret& key, Clock clock)
    : services_(std::move(services)),
      clock_(std::move(clock)),
      csrf_(key),
      auth_(*services_.verifier, [] { return std::chrono::steady_clock::now(); }),
      why_(services_, clock_) {}

std::int64_t WebSite::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
}

void WebSite::handle(const HttpRequest& request, const HttpReply& reply) {
  const std::string& path = request.path;
  if (path == "/staff" || path.rfind("/staff/", 0) == 0) {
    if (path == "/staff") {
      reply(redirectTo("/staff/"));
      return;
    }
    auth_.admit(request, services_.staff_users(), reply, [this, request, reply](std::string user) {
      serveStaff(request, reply, std::move(user));
    });
    return;
  }
  if (!isRead(request.method)) {
    reply(methodNotAllowed("GET, HEAD"));
    return;
  }
  if (path == "/") {
    reply(redirectTo("/why"));
    return;
  }
  if (path == "/why") {
    why_.handle(request, reply);
    return;
  }
  if (path.rfind(kStaticPrefix, 0) == 0) {
    if (auto asset = staticAsset(std::string_view(path).substr(kStaticPrefix.size()))) {
      HttpResponse response;
      response.content_type = std::string(asset->content_type);
      response.body = std::string(asset->body);
      response.headers.emplace_back("Cache-Control", "max-age=3600");
      reply(std::move(response));
      return;
    }
  }
  reply(
      errorPage(404, "Not found",
                "There is no page at this address. To find out why mail was refused, open /why."));
}

void WebSite::serveStaff(const HttpRequest& request, const HttpReply& reply, std::string user) {
  HttpMethod wanted = isRead(request.method) ? HttpMethod::kGet : request.method;
  bool path_known = false;
  for (const StaffRoute& route : staffRoutes()) {
    if (route.path != request.path) continue;
    path_known = true;
    if (route.method != wanted) continue;
    if (wanted == HttpMethod::kPost) {
      std::string refused = csrf_.refusal(request, user, now());
      if (!refused.empty()) {
        reply(errorPage(403, "Form refused", refused, PageKind::kStaff));
        return;
      }
    }
    StaffRequest staff{request,
                       services_,
                       user,
                       csrf_.tokenFor(user, now()),
                       fieldValue(request.query, "notice"),
                       fieldValue(request.query, "error")};
    route.handler(staff, reply);
    return;
  }
  if (path_known) {
    reply(methodNotAllowed(wanted == HttpMethod::kPost ? "GET, HEAD" : "POST"));
    return;
  }
  reply(errorPage(404, "Not found", "There is no staff page at this address.", PageKind::kStaff));
}

}  // namespace ts
