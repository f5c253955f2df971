#include "checks/dnsbl/dnsbl_config.h"

#include "config/config_table.h"

namespace ts {

bool ReturnCodeFilter::matches(const std::array<std::uint8_t, 4>&) const {
  return false;
}

Result<DnsblSite> parseDnsblSite(std::string_view) {
  return fail(std::string("not yet"));
}

std::span<const ConfigKey> dnsblConfigKeys() {
  return {};
}

}  // namespace ts
