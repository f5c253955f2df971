#include "checks/dmarc/dmarc_config.h"

#include "config/config_table.h"

namespace ts {

std::span<const ConfigKey> dmarcConfigKeys() {
  return {};
}

}  // namespace ts
