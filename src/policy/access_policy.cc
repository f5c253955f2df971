// Ban replies quote the operator's reason and say who to ask, because a sender's admin
// can fix nothing else about an operator's ban.
#include "policy/access_policy.h"

#include <fmt/format.h>

#include "store/allowlist_store.h"
#include "store/ban_store.h"
#include "store/decision_log.h"

namespace ts {
namespace {

Proposal passed() {
  Proposal p;
  p.result.check = "ban";
  p.result.outcome = Outcome::kPass;
  p.action = Action::kObserve;
  return p;
}

Proposal storeFault(const std::string& error) {
  Proposal p;
  p.result.check = "ban";
  p.result.outcome = Outcome::kTempError;
  p.result.reason = "ban lists unreadable: " + error;
  p.action = Action::kObserve;
  return p;
}

Proposal banned(const store::BanEntry& ban, std::string_view what) {
  Proposal p;
  p.result.check = "ban";
  p.result.outcome = Outcome::kFail;
  p.result.enhanced = "5.7.1";
  p.result.reason = fmt::format(
      "{} is blocked by this gateway's operator{}{}; to appeal, contact the gateway's "
      "postmaster and quote the reference id",
      what, ban.reason.empty() ? "" : ": ", ban.reason);
  p.action = ban.action == store::BanAction::kQuarantine ? Action::kQuarantine : Action::kReject;
  return p;
}

}  // namespace

Proposal AccessPolicy::senderBan(const SocketAddress& client, std::string_view sender,
                                 std::int64_t now) const {
  store::ReadTransaction txn(store_);
  if (!txn.ok()) return storeFault("cannot begin a read transaction");
  auto by_client = store::BanStore::findClient(txn.get(), store_.dbs(), client, now);
  if (!by_client) return storeFault(by_client.error().message);
  if (*by_client) return banned(**by_client, fmt::format("Mail from {}", client.host()));
  if (sender.empty()) return passed();
  auto by_sender =
      store::BanStore::find(txn.get(), store_.dbs(), store::BanKind::kSender, sender, now);
  if (!by_sender) return storeFault(by_sender.error().message);
  if (*by_sender) return banned(**by_sender, fmt::format("Mail from <{}>", sender));
  std::string domain = store::domainOf(sender);
  auto by_domain =
      store::BanStore::find(txn.get(), store_.dbs(), store::BanKind::kDomain, domain, now);
  if (!by_domain) return storeFault(by_domain.error().message);
  if (*by_domain) return banned(**by_domain, fmt::format("Mail from {}", domain));
  return passed();
}

Proposal AccessPolicy::recipientBan(std::string_view number, std::int64_t now) const {
  store::ReadTransaction txn(store_);
  if (!txn.ok()) return storeFault("cannot begin a read transaction");
  auto found =
      store::BanStore::find(txn.get(), store_.dbs(), store::BanKind::kRecipient, number, now);
  if (!found) return storeFault(found.error().message);
  if (*found) return banned(**found, fmt::format("Mail to {}", number));
  return passed();
}

std::optional<store::AllowEntry> AccessPolicy::allowEntry(std::string_view domain,
                                                          std::int64_t now) const {
  if (domain.empty()) return std::nullopt;
  store::ReadTransaction txn(store_);
  if (!txn.ok()) return std::nullopt;
  auto found = store::AllowlistStore::find(txn.get(), store_.dbs(), domain, now);
  if (!found) return std::nullopt;
  return *found;
}

}  // namespace ts
