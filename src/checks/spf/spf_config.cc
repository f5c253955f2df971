#include "checks/spf/spf_config.h"

#include "config/config_table.h"

namespace ts {

std::span<const ConfigKey> spfConfigKeys() {
  return {};
}

}  // namespace ts
