// GMime 3.2.13 (Debian 12) leaks the address it has just read when a domain literal is
// followed by a comment that never closes ("a@[192.0.2.1] (..."): address_parse returns
// without freeing it (fixed upstream in 3.2.14, GMime issue #159). A sender could repeat
// that in every address header of every message, nested messages included, and the
// daemon's memory would only grow. Every text handed to GMime passes through here first.
#pragma once

#include <string>
#include <string_view>

namespace ts {

// `text` itself when GMime can read it without leaking; otherwise a copy, kept in
// `storage`, where each '(' that follows ']' (and whitespace) and is not closed on its own
// line reads '_'. The one line is narrower than GMime's header value (folded lines and
// all), so no comment GMime could find open is left; a comment spanning a fold after a
// literal loses its '(' too, which only changes how GMime reads a malformed address.
// GMime's default address compliance mode (loose) is assumed: strict mode has more leaks.
std::string_view gmimeSafeText(std::string_view text, std::string& storage);

}  // namespace ts
