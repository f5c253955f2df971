// What each check of a decision record means in plain words, and what a sender's admin
// can do about it: the /why page shows these beside the check's own reason.
#pragma once

#include <span>
#include <string_view>

namespace ts {

struct CheckExplanation {
  std::string_view name;     // as in the decision record, e.g. "spf"
  std::string_view title;    // "Sender Policy Framework (SPF)"
  std::string_view meaning;  // what was looked at
  std::string_view fix;      // what the sender can change
};

// The explanation of the check called name; a check this table does not know yet gets a
// general one with the name itself as the title.
CheckExplanation explainCheck(std::string_view name);

// Every check name the table knows, for the tests that keep it complete.
std::span<const CheckExplanation> knownCheckExplanations();

}  // namespace ts
