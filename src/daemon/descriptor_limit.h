// The open-file limit the daemon needs for max_connections. At start the soft
// RLIMIT_NOFILE is raised to the hard limit; a configuration that needs more descriptors
// than that is refused (at start, --check-config and reload), never clamped: an operator
// who asked for 10000 connections must learn that the host gives fewer, not find out
// under load.
#pragma once

#include <cstdint>

#include "config/config.h"
#include "util/result.h"

namespace ts {

// Each client connection may hold its gateway connection and, when the callout is on, a
// probe to the sender's mail server; the rest is the idle gateway pool and the daemon's
// own files (listener, control socket, DNS sockets, LMDB, log).
std::uint64_t descriptorsNeeded(const Config& config);
// Whether limit descriptors are enough for config, and if not, what to change.
Status<> checkDescriptors(const Config& config, std::uint64_t limit);

struct DescriptorLimit {
  std::uint64_t soft;
  std::uint64_t hard;
};
DescriptorLimit currentDescriptorLimit();
// Raises the soft limit to the hard limit (or as far as the kernel allows); the limits in
// force afterwards.
DescriptorLimit raiseDescriptorLimit();

}  // namespace ts
