// The client side of the daemon's control socket: one request line out, one JSON
// object back. status and dns-cache share it; a daemon that is not running is told
// apart from one that answers badly.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ts::ctl {

// The daemon's answer to request as a JSON object, or nothing after printing why
// (the caller returns kExitFailure).
std::optional<nlohmann::json> askDaemon(const std::string& socket_path, const std::string& request);

}  // namespace ts::ctl
