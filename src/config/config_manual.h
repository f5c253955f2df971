// The OPTIONS section of textscreen.conf(5) in roff, written from the key table that
// --help prints, so the man page can never list a key the daemon does not accept.
#pragma once

#include <string>

namespace ts {

// Every key of configKeyGroups(), one .SS per group: its name and unit, its doc line and
// its default. tools/gen-conf-man.sh splices this into doc/textscreen.conf.5.
std::string configManualOptions();

}  // namespace ts
