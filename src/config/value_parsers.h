// Parsers for configuration values with units: "30s", "500ms", "64k". A bad value is an
// error naming what was expected; the caller adds the key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "util/result.h"

namespace ts {

Result<Duration> parseDuration(std::string_view text);
Result<std::uint64_t> parseByteSize(std::string_view text);
Result<std::uint64_t> parseCount(std::string_view text);
Result<double> parseNumber(std::string_view text);
// Splits "a, b c" into {"a", "b", "c"}.
std::vector<std::string> splitList(const std::vector<std::string>& values);

}  // namespace ts
