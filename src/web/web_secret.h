// The key behind the staff forms' CSRF tokens, kept in the state directory so every
// process of a fleet sharing it (reuse_port) accepts a form another one served, and a
// restart does not void the forms open in browsers.
#pragma once

#include <array>
#include <string>

#include "util/result.h"

namespace ts {

using WebSecret = std::array<unsigned char, 32>;

// Reads path, or creates it (mode 0600, random bytes) when it does not exist yet; two
// processes starting at once end up with the same key. Runs at start, never on the loop.
Result<WebSecret> loadWebSecret(const std::string& path);

}  // namespace ts
