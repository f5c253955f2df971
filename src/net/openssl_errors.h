// OpenSSL reports why a call failed on a thread-local queue; a log line wants it as text.
#pragma once

#include <string>

namespace ts {

// Empties this thread's OpenSSL error queue into one line ("a; b"), never empty.
std::string takeOpensslErrors();

}  // namespace ts
