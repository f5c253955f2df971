#include "checks/dkim/dkim_config.h"

#include "config/config_table.h"

namespace ts {

std::span<const ConfigKey> dkimConfigKeys() {
  return {};
}

}  // namespace ts
