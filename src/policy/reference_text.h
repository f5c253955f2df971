// Reference ids as operators paste them: "[ts-5xk2q7m9d3hfa]" from a reply, or bare,
// in any case. Checking the shape first turns a typo into a clear message instead of
// "not found".
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace ts {

Result<std::string> parseReference(std::string_view text);

}  // namespace ts
