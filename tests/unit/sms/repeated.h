// Long test texts: s written n times.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ts::sms::testing {

inline std::string times(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

}  // namespace ts::sms::testing
