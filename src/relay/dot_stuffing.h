// The DATA payload of a held message as it goes to the gateway, built in one place so a
// release from textscreenctl and one from the staff dashboard send the same bytes.
#pragma once

#include <string>
#include <string_view>

namespace ts {

// Lines ending in CRLF (a bare LF becomes CRLF), a leading dot doubled (RFC 5321 4.5.2),
// and the final ".\r\n".
std::string dotStuff(std::string_view message);

}  // namespace ts
