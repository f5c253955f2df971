// One libopendkim library handle, set up so that it never does DNS itself (DESIGN.md
// "Using libspf2 and libopendkim without blocking"): its key lookups go to the DkimKeySource
// a verification registers, which answers only from keys the async Resolver already fetched.
#pragma once

#include <cstddef>

#include "checks/dkim/opendkim.h"

namespace ts {

// What libopendkim asks when it needs a signature's key. It must answer at once from what
// was fetched: CONTINUE (buf holds the TXT record), NOTFOUND, TRYAGAIN or ERROR; never
// DEFAULT, which would send libopendkim to its own blocking resolver.
class DkimKeySource {
 public:
  virtual DKIM_CBSTAT keyFor(DKIM_SIGINFO* sig, unsigned char* buf, std::size_t buflen) = 0;

 protected:
  ~DkimKeySource() = default;
};

class DkimLibrary {
 public:
  DkimLibrary();
  ~DkimLibrary();
  DkimLibrary(const DkimLibrary&) = delete;
  DkimLibrary& operator=(const DkimLibrary&) = delete;

  // A handle that verifies one message, asking keys of source; null when libopendkim
  // could not start (out of memory). Free it with dkim_free.
  DKIM* verifier(DkimKeySource& source) const;

 private:
  DKIM_LIB* lib_;  // null when dkim_init failed
};

}  // namespace ts
