#include "checks/callout/callout_config.h"

#include "config/config_table.h"

namespace ts {

std::span<const ConfigKey> calloutConfigKeys() {
  return {};
}

}  // namespace ts
