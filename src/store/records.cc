// JSON mapping of the store records. Parsing checks every field's type, because the
// files are shared with textscreenctl imports and a hand-edited dump.
#include "store/records.h"

#include <nlohmann/json.hpp>

namespace ts::store {

using nlohmann::json;

bool AllowEntry::inScope(const std::string& number) const {
  if (scope.empty()) return true;
  for (const std::string& s : scope) {
    if (!s.empty() && s.back() == '*') {
      if (number.compare(0, s.size() - 1, s, 0, s.size() - 1) == 0) return true;
    } else if (s == number) {
      return true;
    }
  }
  return false;
}

std::string_view banKindName(BanKind k) {
  switch (k) {
    case BanKind::kSender:
      return "sender";
    case BanKind::kDomain:
      return "domain";
    case BanKind::kClient:
      return "client";
    case BanKind::kRecipient:
      return "recipient";
  }
  return "sender";
}

Result<BanKind> parseBanKind(std::string_view name) {
  for (BanKind k : {BanKind::kSender, BanKind::kDomain, BanKind::kClient, BanKind::kRecipient}) {
    if (banKindName(k) == name) return k;
  }
  return fail("unknown ban kind '" + std::string(name) + "' (sender, domain, client, recipient)");
}

std::string_view banActionName(BanAction a) {
  return a == BanAction::kQuarantine ? "quarantine" : "reject";
}

Result<BanAction> parseBanAction(std::string_view name) {
  if (name == "reject") return BanAction::kReject;
  if (name == "quarantine") return BanAction::kQuarantine;
  return fail("unknown ban action '" + std::string(name) + "' (reject or quarantine)");
}

json toJson(const AllowEntry& e) {
  return json{{"domain", e.domain},   {"subdomains", e.subdomains}, {"scope", e.scope},
              {"expires", e.expires}, {"added_by", e.added_by},     {"note", e.note},
              {"created", e.created}};
}

json toJson(const BanEntry& e) {
  return json{
      {"kind", banKindName(e.kind)}, {"value", e.value},     {"action", banActionName(e.action)},
      {"reason", e.reason},          {"expires", e.expires}, {"added_by", e.added_by},
      {"created", e.created}};
}

// Built node by node: an initializer list copies every value once more, and this runs for
// every message (some 600 allocations a record before, in the load harness's heaptrack).
json toJson(const DecisionRecord& r) {
  json j = json::object();
  j["ref"] = r.ref;
  j["time"] = r.time;
  j["client"] = r.client;
  j["helo"] = r.helo;
  j["mail_from"] = r.mail_from;
  json& recipients = j["recipients"] = json::array();
  for (const std::string& to : r.recipients) recipients.push_back(to);
  json& checks = j["checks"] = json::array();
  for (const CheckRecord& c : r.checks) {
    json& check = checks.emplace_back(json::object());
    check["check"] = c.check;
    check["outcome"] = c.outcome;
    check["detail"] = c.detail;
    check["score"] = c.score;
  }
  j["action"] = r.action;
  j["reason"] = r.reason;
  j["gateway_reply"] = r.gateway_reply;
  if (!r.message_id.empty()) j["message_id"] = r.message_id;
  return j;
}

json toJson(const QuarantineRecord& r, bool with_message) {
  json j{{"ref", r.ref},
         {"time", r.time},
         {"client", r.client},
         {"helo", r.helo},
         {"mail_from", r.mail_from},
         {"recipients", r.recipients},
         {"reason", r.reason},
         {"size", r.message.size()},
         {"released_by", r.released_by},
         {"released_at", r.released_at}};
  if (with_message) j["message"] = r.message;
  return j;
}

namespace {

// Reads one field into out; a wrong type is an error naming the field.
template <typename T>
bool field(const json& j, const char* name, T& out, bool required, std::string& error) {
  auto it = j.find(name);
  if (it == j.end()) {
    if (required) error = std::string("missing field '") + name + "'";
    return !required;
  }
  try {
    out = it->template get<T>();
  } catch (const json::exception&) {
    error = std::string("field '") + name + "' has the wrong type";
    return false;
  }
  return true;
}

}  // namespace

Result<AllowEntry> allowEntryFromJson(const json& j) {
  AllowEntry e;
  std::string err;
  if (!j.is_object()) return fail(std::string("allowlist entry is not an object"));
  if (field(j, "domain", e.domain, true, err) && field(j, "subdomains", e.subdomains, false, err) &&
      field(j, "scope", e.scope, false, err) && field(j, "expires", e.expires, false, err) &&
      field(j, "added_by", e.added_by, false, err) && field(j, "note", e.note, false, err) &&
      field(j, "created", e.created, false, err)) {
    if (e.domain.empty()) return fail(std::string("allowlist entry has an empty domain"));
    return e;
  }
  return fail("allowlist entry: " + err);
}

Result<BanEntry> banEntryFromJson(const json& j) {
  BanEntry e;
  std::string err, kind, action = "reject";
  if (!j.is_object()) return fail(std::string("ban entry is not an object"));
  if (!(field(j, "kind", kind, true, err) && field(j, "value", e.value, true, err) &&
        field(j, "action", action, false, err) && field(j, "reason", e.reason, false, err) &&
        field(j, "expires", e.expires, false, err) &&
        field(j, "added_by", e.added_by, false, err) &&
        field(j, "created", e.created, false, err))) {
    return fail("ban entry: " + err);
  }
  auto k = parseBanKind(kind);
  if (!k) return fail(k.error());
  auto a = parseBanAction(action);
  if (!a) return fail(a.error());
  e.kind = *k;
  e.action = *a;
  return e;
}

Result<DecisionRecord> decisionFromJson(const json& j) {
  DecisionRecord r;
  std::string err;
  json checks = json::array();
  if (!j.is_object()) return fail(std::string("decision record is not an object"));
  if (!(field(j, "ref", r.ref, true, err) && field(j, "time", r.time, true, err) &&
        field(j, "client", r.client, false, err) && field(j, "helo", r.helo, false, err) &&
        field(j, "mail_from", r.mail_from, false, err) &&
        field(j, "recipients", r.recipients, false, err) &&
        field(j, "checks", checks, false, err) && field(j, "action", r.action, false, err) &&
        field(j, "reason", r.reason, false, err) &&
        field(j, "gateway_reply", r.gateway_reply, false, err) &&
        field(j, "message_id", r.message_id, false, err))) {
    return fail("decision record: " + err);
  }
  for (const json& c : checks) {
    CheckRecord cr;
    if (!(c.is_object() && field(c, "check", cr.check, true, err) &&
          field(c, "outcome", cr.outcome, false, err) &&
          field(c, "detail", cr.detail, false, err) && field(c, "score", cr.score, false, err))) {
      return fail("decision record check: " + (err.empty() ? std::string("not an object") : err));
    }
    r.checks.push_back(std::move(cr));
  }
  return r;
}

Result<QuarantineRecord> quarantineFromJson(const json& j) {
  QuarantineRecord r;
  std::string err;
  if (!j.is_object()) return fail(std::string("quarantine record is not an object"));
  if (!(field(j, "ref", r.ref, true, err) && field(j, "time", r.time, true, err) &&
        field(j, "client", r.client, false, err) && field(j, "helo", r.helo, false, err) &&
        field(j, "mail_from", r.mail_from, false, err) &&
        field(j, "recipients", r.recipients, false, err) &&
        field(j, "reason", r.reason, false, err) && field(j, "message", r.message, true, err) &&
        field(j, "released_by", r.released_by, false, err) &&
        field(j, "released_at", r.released_at, false, err))) {
    return fail("quarantine record: " + err);
  }
  return r;
}

Result<json> parseStored(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail("corrupt " + std::string(what) + ": not valid JSON");
  return j;
}

}  // namespace ts::store
