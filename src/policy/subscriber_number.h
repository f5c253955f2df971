// Decides whether a recipient local part is a subscriber number the gateway can text.
// libphonenumber allocates heavily per parse, so answers are kept in a bounded cache.
#pragma once

#include <cstddef>
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

}  // namespace ts
