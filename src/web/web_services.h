// What the web pages may reach in the daemon, handed in as references and functions so a
// page never sees a socket, the Server or another page (STYLE.md: narrow contexts).
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "auth/credentials.h"
#include "auth/password_verifier.h"
#include "config/config.h"
#include "relay/gateway_connection.h"
#include "store/store_environment.h"
#include "store/store_writer.h"

namespace ts {

class SurgeTracker;
class RelayPool;

struct WebServices {
  event_base* base = nullptr;
  store::StoreEnvironment* store = nullptr;  // reads: a read transaction on the loop
  store::StoreWriter* writer = nullptr;      // writes: queued, answered on the loop
  auth::PasswordVerifier* verifier = nullptr;
  SurgeTracker* surges = nullptr;
  // The configuration of this moment (a reload replaces it).
  std::function<const Config&()> config;
  // null: web_staff_users_file is empty, the dashboard is for loopback clients only.
  std::function<std::shared_ptr<const auth::Credentials>()> staff_users;
  // The daemon's figures: `textscreenctl status` JSON and the Prometheus text.
  std::function<nlohmann::json()> status;
  std::function<std::string()> metrics_text;
  // The gateway as the relay reaches it now (address, timeouts, gateway_tls), for a
  // connection of a page's own: releasing a quarantined message.
  std::function<GatewaySettings()> gateway;
};

}  // namespace ts
