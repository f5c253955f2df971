// Value setters shared by the key tables of the core and of each check: each takes the
// key's values as given and writes one field, or says what is wrong with the value.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/socket_address.h"
#include "policy/action.h"
#include "util/result.h"

namespace ts {

Result<std::string> singleValue(const std::vector<std::string>& values);
Status<> assignAction(Action& out, const std::vector<std::string>& values);
Status<> assignScore(double& out, const std::vector<std::string>& values);
// What a temporary fault (DNS timeout, SERVFAIL) leads to: only observe (fail-open) or
// tempfail (fail-closed); anything else is refused, so no config can turn a temporary
// fault into a rejection (DESIGN.md invariant 3).
Status<> assignTemperrorAction(Action& out, const std::vector<std::string>& values);
// A network check's deadline: above 0, at most 60s (the session's own waits are longer).
Status<> assignDeadline(std::chrono::milliseconds& out, const std::vector<std::string>& values);
// One value taken as it is; empty means "not set" (a file path, a name, a cipher list).
Status<> assignText(std::string& out, const std::vector<std::string>& values);
// An address literal and port for a listener that is off when the value is empty.
Status<> assignOptionalAddress(std::optional<SocketAddress>& out,
                               const std::vector<std::string>& values);
// yes/no (also true/false, on/off).
Status<> assignYesNo(bool& out, const std::vector<std::string>& values);
// A duration in whole seconds within [min, max]: the counters, windows and penalties
// count seconds.
Status<> assignSeconds(std::chrono::seconds& out, const std::vector<std::string>& values,
                       std::chrono::seconds min, std::chrono::seconds max);
// A whole number within [min, max].
Result<std::uint64_t> countWithin(const std::vector<std::string>& values, std::uint64_t min,
                                  std::uint64_t max);
template <typename T>
Status<> assignCount(T& out, const std::vector<std::string>& values, std::uint64_t min,
                     std::uint64_t max) {
  auto n = countWithin(values, min, max);
  if (!n) return fail(n.error());
  out = static_cast<T>(*n);
  return Ok{};
}

}  // namespace ts
