// Text from the decision record made fit for the public /why page: a check's detail may
// name the client's address, a DNS server or a recipient number (a rate limit's key), and
// none of those is for the world.
#pragma once

#include <string>
#include <string_view>

namespace ts {

inline constexpr std::string_view kHiddenAddress = "(address hidden)";

// Every IPv4 or IPv6 literal becomes kHiddenAddress and every run of 7 or more digits
// (a telephone number) is masked as maskMiddle does; the rest is kept as it is. The
// result still needs escapeHtml.
std::string redactForPublic(std::string_view text);

}  // namespace ts
