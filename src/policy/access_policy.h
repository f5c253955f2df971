// The operator's lists as the session sees them: bans on the client, the sender, its
// domain and the recipient, and the allowlist entry of the sender's domain. Each lookup
// is one short LMDB read transaction, so textscreenctl's changes apply to the next
// transaction with no reload. A store fault is observed (fail-open), never a refusal.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "net/socket_address.h"
#include "policy/decision.h"
#include "store/records.h"
#include "store/store_environment.h"

namespace ts {

class AccessPolicy {
 public:
  explicit AccessPolicy(const store::StoreEnvironment& store) : store_(store) {}

  // A "ban" proposal: outcome fail with the ban's reason and action when the client,
  // the sender address or its domain is banned; pass otherwise.
  Proposal senderBan(const SocketAddress& client, std::string_view sender, std::int64_t now) const;
  Proposal recipientBan(std::string_view number, std::int64_t now) const;
  std::optional<store::AllowEntry> allowEntry(std::string_view domain, std::int64_t now) const;

 private:
  const store::StoreEnvironment& store_;
};

}  // namespace ts
