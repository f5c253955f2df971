// Recipient numbers as /why shows them: enough for a sender's admin to tell which message
// it was (1415*****12@sms.example.net), never the whole number, which is a subscriber's.
#pragma once

#include <string>
#include <string_view>

namespace ts {

// The local part with its middle masked by '*', one per character kept in place, and the
// domain (the gateway's) as it is. From 8 characters on, the first 4 and the last 2 stay;
// shorter ones keep only the first one or two, so at least two thirds are always hidden.
// A leading '+' stays; text without '@' is masked as a local part.
std::string maskRecipient(std::string_view address);

// The middle of one number or name, as in maskRecipient's local part.
std::string maskMiddle(std::string_view text);

}  // namespace ts
