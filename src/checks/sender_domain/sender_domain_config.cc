#include "checks/sender_domain/sender_domain_config.h"

#include "config/config_table.h"

namespace ts {

std::span<const ConfigKey> senderDomainConfigKeys() {
  return {};
}

}  // namespace ts
