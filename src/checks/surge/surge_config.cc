// Surge mode's keys. Built in, surge mode is off (a bare config changes nothing); the
// shipped configuration turns it on, because a carrier's gateway is where campaigns land.
#include "checks/surge/surge_config.h"

#include <array>
#include <limits>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"
#include "util/ascii.h"

namespace ts {
namespace {

constexpr std::uint64_t kMaxCount = 1000000000;

// The counter store counts whole seconds.
Status<> setSeconds(std::chrono::seconds& out, const std::vector<std::string>& values) {
  return assignSeconds(out, values, std::chrono::seconds(1), std::chrono::hours(24 * 30));
}

Status<> assignConfirmedAction(Action& out, const std::vector<std::string>& values) {
  Action action = Action::kReject;
  auto set = assignAction(action, values);
  if (!set) return set;
  if (action != Action::kReject && action != Action::kQuarantine && action != Action::kTempfail) {
    return fail("'" + std::string(actionName(action)) +
                "' is not allowed for a confirmed campaign: use reject, quarantine or tempfail");
  }
  out = action;
  return Ok{};
}

Status<> assignSimilarity(double& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseNumber(*v);
  if (!n) return fail(n.error());
  // 0 would make every body one cluster; above 1 no two bodies could ever match.
  if (*n <= 0 || *n > 1) return fail("'" + *v + "' must be above 0 and at most 1");
  out = *n;
  return Ok{};
}

constexpr std::array kKeys = {
    ConfigKey{"surge_enabled", "no", "yes/no",
              "Surge mode: count each campaign cluster's recipients, senders and client "
              "networks, and each network's message rate; unauthenticated mail of a surge is "
              "deferred. Built-in default off; the shipped configuration turns it on.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignYesNo(c.surge.enabled, v);
              }},
    ConfigKey{
        "surge_window", "10m", "duration",
        "Sliding window over which a cluster's distinct recipients, networks and "
        "senders are counted.",
        false,
        [](Config& c, const std::vector<std::string>& v) { return setSeconds(c.surge.window, v); }},
    ConfigKey{"surge_cluster_recipients", "20", "count",
              "Distinct recipients a cluster must reach in the window to enter surge mode "
              "(with surge_cluster_networks or surge_cluster_senders).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignCount(c.surge.cluster_recipients, v, 1, kMaxCount);
              }},
    ConfigKey{"surge_cluster_networks", "3", "count",
              "Distinct client networks (IPv4 /24, IPv6 /64) that, with enough recipients, put "
              "a cluster in surge mode: one business's notices from one network never do.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignCount(c.surge.cluster_networks, v, 1, kMaxCount);
              }},
    ConfigKey{"surge_cluster_senders", "10", "count",
              "Distinct envelope senders that, with enough recipients, put a cluster in surge "
              "mode.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignCount(c.surge.cluster_senders, v, 1, kMaxCount);
              }},
    ConfigKey{"surge_confirm_networks", "10", "count",
              "Distinct client networks at which a surge counts as a confirmed campaign and "
              "surge_confirmed_action applies.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignCount(c.surge.confirm_networks, v, 1, kMaxCount);
              }},
    ConfigKey{"surge_confirm_senders", "30", "count",
              "Distinct envelope senders at which a surge counts as a confirmed campaign.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignCount(c.surge.confirm_senders, v, 1, kMaxCount);
              }},
    ConfigKey{"surge_confirmed_action", "reject", "action",
              "What unauthenticated mail of a confirmed campaign leads to: reject, quarantine "
              "or tempfail.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignConfirmedAction(c.surge.confirmed_action, v);
              }},
    ConfigKey{
        "surge_network_limit", "0", "count",
        "Messages one client network may send per surge_network_window before it enters "
        "surge mode itself; 0: no network limit.",
        false,
        [](Config& c, const std::vector<std::string>&
                          v) { return assignCount(c.surge.network_rate.limit, v, 0, kMaxCount); }},
    ConfigKey{
        "surge_network_window", "10m", "duration", "The window of surge_network_limit.", false,
        [](Config& c, const std::vector<std::string>& v) {
          return setSeconds(c.surge.network_rate.window, v);
        }},
    ConfigKey{
        "surge_hold", "15m", "duration",
        "A surge ends this long after the last message that kept it going.", false,
        [](Config& c, const std::vector<std::string>& v) { return setSeconds(c.surge.hold, v); }},
    ConfigKey{"surge_cluster_capacity", "100000", "count",
              "Campaign clusters remembered; the least recently seen are forgotten first.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignCount(c.surge.cluster_capacity, v, 1, kMaxCount);
              }},
    ConfigKey{
        "surge_similarity", "0.6", "number",
        "Share of MinHash signatures two bodies must have in common to be one cluster; "
        "above 0, at most 1.",
        false,
        [](Config& c,
           const std::vector<std::string>& v) { return assignSimilarity(c.surge.similarity, v); }},
};

}  // namespace

std::span<const ConfigKey> surgeConfigKeys() {
  return kKeys;
}

}  // namespace ts
