// Units follow Postfix's time units (s, m, h, d) plus ms, and k/m/g byte multipliers.
#include "config/value_parsers.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace ts {
namespace {

Result<std::uint64_t> parseDigits(std::string_view digits, std::string_view original) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    return fail(fmt::format("'{}' is not a whole number", original));
  }
  return value;
}

std::string_view trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<Duration> parseDuration(std::string_view text) {
  std::string_view t = trim(text);
  std::size_t unit_at = t.find_first_not_of("0123456789");
  std::string_view unit = unit_at == std::string_view::npos ? "s" : t.substr(unit_at);
  auto n = parseDigits(t.substr(0, unit_at), text);
  if (!n) return fail(n.error());
  std::uint64_t ms_per_unit = 0;
  if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else if (unit == "d") {
    ms_per_unit = 86'400'000;
  } else {
    return fail(fmt::format("'{}' is not a duration (use e.g. 500ms, 30s, 5m, 1h)", text));
  }
  if (*n > std::numeric_limits<std::int64_t>::max() / ms_per_unit) {
    return fail(fmt::format("'{}' is too long a duration", text));
  }
  return Duration(static_cast<std::int64_t>(*n * ms_per_unit));
}

Result<std::uint64_t> parseByteSize(std::string_view text) {
  std::string_view t = trim(text);
  std::uint64_t multiplier = 1;
  if (!t.empty()) {
    switch (t.back()) {
      case 'k':
      case 'K':
        multiplier = 1024;
        break;
      case 'm':
      case 'M':
        multiplier = 1024 * 1024;
        break;
      case 'g':
      case 'G':
        multiplier = 1024 * 1024 * 1024;
        break;
      default:
        break;
    }
    if (multiplier != 1) t.remove_suffix(1);
  }
  auto n = parseDigits(t, text);
  if (!n) return fail(fmt::format("'{}' is not a size (use e.g. 65536, 64k, 10M)", text));
  if (*n > std::numeric_limits<std::uint64_t>::max() / multiplier) {
    return fail(fmt::format("'{}' is too large", text));
  }
  return *n * multiplier;
}

Result<std::uint64_t> parseCount(std::string_view text) {
  return parseDigits(trim(text), text);
}

Result<double> parseNumber(std::string_view text) {
  std::string_view t = trim(text);
  double value = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(value)) {
    return fail(fmt::format("'{}' is not a number", text));
  }
  return value;
}

std::vector<std::string> splitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    std::size_t start = 0;
    while (start < v.size()) {
      std::size_t end = v.find_first_of(", \t", start);
      if (end == std::string::npos) end = v.size();
      if (end > start) out.emplace_back(v.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

}  // namespace ts
