// libopendkim's header for C++: dkim.h is C99 and spells its booleans _Bool, which C++
// does not have (it has extern "C" but no C++ spelling). Include this, never dkim.h itself.
#pragma once

#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool
