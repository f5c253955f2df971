// RLIM_INFINITY is read as the largest count: the kernel's own fs.nr_open still bounds
// what setrlimit accepts, so a refused raise keeps the old soft limit.
#include "daemon/descriptor_limit.h"

#include <sys/resource.h>

#include <fmt/format.h>

#include <limits>

namespace ts {
namespace {

// The daemon's own descriptors, with room to spare.
constexpr std::uint64_t kDaemonDescriptors = 64;

std::uint64_t count(rlim_t value) {
  return value == RLIM_INFINITY ? std::numeric_limits<std::uint64_t>::max()
                                : static_cast<std::uint64_t>(value);
}

}  // namespace

std::uint64_t descriptorsNeeded(const Config& config) {
  std::uint64_t per_connection = config.callout.action == Action::kOff ? 2 : 3;
  return per_connection * config.max_connections + config.gateway_pool_size + kDaemonDescriptors;
}

Status<> checkDescriptors(const Config& config, std::uint64_t limit) {
  std::uint64_t needed = descriptorsNeeded(config);
  if (needed <= limit) return Ok{};
  return fail(fmt::format(
      "max_connections = {} needs up to {} open files, but the limit (RLIMIT_NOFILE) is {}: "
      "raise the hard limit (LimitNOFILE= in the systemd unit, nofile in "
      "/etc/security/limits.conf) or lower max_connections",
      config.max_connections, needed, limit));
}

DescriptorLimit currentDescriptorLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return DescriptorLimit{0, 0};
  return DescriptorLimit{count(lim.rlim_cur), count(lim.rlim_max)};
}

DescriptorLimit raiseDescriptorLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &raised);
  }
  return currentDescriptorLimit();
}

}  // namespace ts
