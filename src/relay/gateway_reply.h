// A reply from the gateway, or the reason there was none. Sessions map these to the
// client's reply; a failure is always temporary for the client (invariant 3).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ts {

struct GatewayReply {
  enum class Failure { kNone, kUnreachable, kTimeout, kLost };

  Failure failure = Failure::kNone;
  int code = 0;
  std::string enhanced;            // "2.1.5" when the gateway gave one
  std::vector<std::string> lines;  // text after "250-"/"250 ", one entry per line

  bool positive() const { return failure == Failure::kNone && code >= 200 && code < 300; }
  std::string text() const;  // the lines joined, without the enhanced code
};

using GatewayReplyHandler = std::function<void(const GatewayReply&)>;

}  // namespace ts
