// Value setters shared by the key tables of the core and of each check: each takes the
// key's values as given and writes one field, or says what is wrong with the value.
#pragma once

#include <string>
#include <vector>

#include "policy/action.h"
#include "util/result.h"

namespace ts {

Result<std::string> singleValue(const std::vector<std::string>& values);
Status<> assignAction(Action& out, const std::vector<std::string>& values);
Status<> assignScore(double& out, const std::vector<std::string>& values);

}  // namespace ts
