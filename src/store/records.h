// The records kept in the store. Values are JSON (nlohmann): textscreenctl prints and
// imports them as they are, and a corrupt value is refused with a clear error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "util/result.h"

namespace ts::store {

struct AllowEntry {
  std::string domain;              // lower case
  bool subdomains = false;         // also covers *.domain
  std::vector<std::string> scope;  // recipient numbers, or prefixes ending in '*'; empty: all
  std::int64_t expires = 0;        // unix seconds; 0: never
  std::string added_by;
  std::string note;
  std::int64_t created = 0;

  bool expired(std::int64_t now) const { return expires != 0 && expires <= now; }
  bool inScope(const std::string& recipient_number) const;
};

enum class BanKind { kSender, kDomain, kClient, kRecipient };
enum class BanAction { kReject, kQuarantine };

struct BanEntry {
  BanKind kind = BanKind::kSender;
  std::string value;  // normalised: lower-case address or domain, CIDR, or number
  BanAction action = BanAction::kReject;
  std::string reason;  // quoted in the reply
  std::int64_t expires = 0;
  std::string added_by;
  std::int64_t created = 0;

  bool expired(std::int64_t now) const { return expires != 0 && expires <= now; }
};

struct CheckRecord {
  std::string check;
  std::string outcome;
  std::string detail;
  double score = 0;
};

struct DecisionRecord {
  std::string ref;
  std::int64_t time = 0;
  std::string client;
  std::string helo;
  std::string mail_from;
  std::vector<std::string> recipients;
  std::vector<CheckRecord> checks;
  std::string action;  // relay, reject, tempfail, quarantine
  std::string reason;
  std::string gateway_reply;
  std::string message_id;  // the SMS API's id of the text it accepted (upstream = sms_api)
};

struct QuarantineRecord {
  std::string ref;
  std::int64_t time = 0;
  std::string client;
  std::string helo;
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string reason;
  std::string message;  // the raw message as received, CRLF line endings
  std::string released_by;
  std::int64_t released_at = 0;
};

std::string_view banKindName(BanKind k);
Result<BanKind> parseBanKind(std::string_view name);
std::string_view banActionName(BanAction a);
Result<BanAction> parseBanAction(std::string_view name);

nlohmann::json toJson(const AllowEntry& e);
nlohmann::json toJson(const BanEntry& e);
nlohmann::json toJson(const DecisionRecord& r);
nlohmann::json toJson(const QuarantineRecord& r, bool with_message);
Result<AllowEntry> allowEntryFromJson(const nlohmann::json& j);
Result<BanEntry> banEntryFromJson(const nlohmann::json& j);
Result<DecisionRecord> decisionFromJson(const nlohmann::json& j);
Result<QuarantineRecord> quarantineFromJson(const nlohmann::json& j);

// Parse stored text; a value that is not what it should be is an error naming it.
Result<nlohmann::json> parseStored(std::string_view text, std::string_view what);

}  // namespace ts::store
