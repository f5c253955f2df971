// Organizational Domains (RFC 7489 3.2) and identifier alignment (RFC 7489 3.1) with the
// Public Suffix List from libpsl. libopendmarc's own alignment is not used: without a
// TLD file it only knows parent and child names, and it drops one-letter labels.
#pragma once

#include <string>
#include <string_view>

namespace ts {

// Loads the list once per process (psl_latest may read the distribution's list file), so
// the first message does not wait on the disk. Call it outside the event loop's hot path.
void loadPublicSuffixList();

// The registrable domain of a lower-case name ("mail.example.co.uk" -> "example.co.uk").
// A public suffix, or a name the list cannot judge, is its own Organizational Domain.
std::string organizationalDomain(std::string_view domain);

enum class Alignment { kRelaxed, kStrict };

// Strict: the same name. Relaxed: the same Organizational Domain. Case and a trailing dot
// do not matter; an empty name never aligns.
bool aligned(std::string_view from_domain, std::string_view other, Alignment mode);

}  // namespace ts
