// Decides whether a recipient local part is a subscriber number the gateway can text.
// libphonenumber allocates heavily per parse, so answers are kept in a bounded cache.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/lru_cache.h"

namespace ts {

class SubscriberNumberValidator {
 public:
  SubscriberNumberValidator(std::string default_region, std::size_t cache_size);

  bool isSubscriberNumber(std::string_view local_part);
  static bool isSupportedRegion(std::string_view region);

 private:
  bool validate(const std::string& local_part) const;

  std::string region_;
  LruCache<bool> cache_;
};

// The number in E.164 ("+14155551212"), read as libphonenumber reads it for region when
// it has no leading '+'; nothing when it is not a valid number.
std::optional<std::string> e164Number(std::string_view local_part, const std::string& region);

}  // namespace ts
