// The header compliance check's configuration keys (STYLE.md 6).
#pragma once

#include <chrono>
#include <cstddef>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct HeaderConfig {
  // What a malformed header section (no Date, bad Message-ID, From missing or repeated,
  // 8-bit bytes without SMTPUTF8, an overlong line) leads to. Off by default; the shipped
  // configuration scores it.
  Action action = Action::kOff;
  double score = 2;  // per problem found, when action = score
  // A Date outside [now - max_age, now + max_future]: an old alert re-sent, or a broken
  // clock. Its own action, because a stale SMS alert misleads whoever receives it.
  Action date_action = Action::kOff;
  std::chrono::seconds date_max_age{std::chrono::hours(72)};
  std::chrono::seconds date_max_future{std::chrono::hours(24)};
  std::size_t max_line_length = 998;  // RFC 5322 section 2.1.1, without the CRLF
};

std::span<const ConfigKey> headerConfigKeys();

}  // namespace ts
