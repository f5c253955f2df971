// `textscreenctl quarantine release`: deliver a held message through the gateway, once.
// The record is marked "WHO (releasing)" in its own write transaction before anything is
// sent, so a second or concurrent release is refused; the mark becomes "WHO" with a time
// on the gateway's 250, and is cleared again when the gateway refused the message or
// gateway_tls forbade sending it over the connection the gateway offered.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "command_line.h"
#include "commands.h"
#include "gateway_sender.h"
#include "held_message.h"
#include "relay/gateway_tls_config.h"
#include "store/quarantine_store.h"
#include "time_text.h"

namespace ts::ctl {
namespace {

enum class Mark { kSet, kRefused, kFailed };

// Sets released_by (and released_at) if the record is still in the state expected;
// the write transaction makes check and set one step across processes.
struct MarkResult {
  Mark mark = Mark::kFailed;
  std::string message;
};

MarkResult updateRelease(store::StoreEnvironment& store, const std::string& ref,
                         const std::string& expect_released_by, const std::string& released_by,
                         std::int64_t released_at) {
  store::WriteTransaction txn(store);
  if (!txn.ok())
    return {Mark::kFailed, "cannot write the store: " + store::storeError(txn.beginError())};
  auto found = store::QuarantineStore::get(txn.get(), store.dbs(), ref);
  if (!found) return {Mark::kFailed, found.error().message};
  if (!*found) return {Mark::kRefused, notHeldMessage(ref)};
  store::QuarantineRecord q = std::move(**found);
  if (q.released_by != expect_released_by) {
    return {Mark::kRefused,
            fmt::format("{} changed meanwhile: released by {}", ref, releasedText(q))};
  }
  q.released_by = released_by;
  q.released_at = released_at;
  int rc = store::QuarantineStore::put(txn.get(), store.dbs(), q);
  if (rc == 0) rc = txn.commit();
  if (rc != 0) return {Mark::kFailed, "cannot write the store: " + store::storeError(rc)};
  return {Mark::kSet, ""};
}

}  // namespace

int runQuarantineRelease(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("force",
                        "release even when older than quarantine_release_max_age, or when an "
                        "earlier release was interrupted")(
      "dry-run", "show what would be sent, change nothing")(
      "by", po::value<std::string>()->value_name("WHO"),
      "who releases it (default: $SUDO_USER or $USER)");
  ParsedCommand cmd;
  CommandSpec spec{
      "quarantine release", "REF [--force] [--dry-run] [--by WHO]",
      "Delivers a held message to its recipients through the gateway, exactly once, and records "
      "who released it. A message older than quarantine_release_max_age is refused without "
      "--force: a late alert confuses people more than a missing one.",
      1, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  auto held = loadHeld(ctx, cmd.args[0]);
  if (!held.record) return held.exit_code;
  const store::QuarantineRecord& q = *held.record;
  const Config* config = ctx.config();
  store::StoreEnvironment* store = ctx.store();
  std::int64_t now = ctx.now();
  bool force = cmd.has("force");
  std::string who = CliContext::who(cmd.get("by"));

  if (q.released_at != 0) {
    return failure(fmt::format("{} was already released by {} at {}; it is not sent twice", q.ref,
                               q.released_by, formatTime(q.released_at)));
  }
  if (releaseInProgress(q) && !force) {
    return failure(fmt::format(
        "{} is being released by {} (or that release was interrupted: check the gateway's log "
        "for {}, and only if it never arrived, release again with --force)",
        q.ref, q.released_by.substr(0, q.released_by.size() - kReleasingMark.size()), q.ref));
  }
  auto max_age =
      std::chrono::duration_cast<std::chrono::seconds>(config->quarantine_release_max_age).count();
  std::int64_t age = now - q.time;
  if (age > max_age && !force) {
    return failure(fmt::format(
        "{} was held {} ago, longer than quarantine_release_max_age ({}): re-delivering old "
        "alerts confuses people; release it anyway with --force",
        q.ref, formatAge(age), formatDuration(config->quarantine_release_max_age)));
  }
  if (q.recipients.empty())
    return failure(fmt::format("{} has no recipients to deliver to", q.ref));

  GatewaySettings gateway{config->gateway, config->hostname, config->gateway_connect_timeout,
                          config->gateway_reply_timeout, config->gateway_tls.context};
  std::string_view tls_level = gatewayTlsLevelName(config->gateway_tls.level);
  if (cmd.has("dry-run")) {
    if (ctx.json()) {
      fmt::print("{}\n", nlohmann::json{{"ref", q.ref},
                                        {"dry_run", true},
                                        {"gateway", gateway.address.toString()},
                                        {"gateway_tls", tls_level},
                                        {"mail_from", q.mail_from},
                                        {"recipients", q.recipients},
                                        {"size", q.message.size()},
                                        {"age_seconds", age}}
                             .dump());
    } else {
      fmt::print("would send {} ({} bytes, held {} ago) to the gateway {}:\n", q.ref,
                 q.message.size(), formatAge(age), gateway.address.toString());
      fmt::print("  EHLO {}\n", gateway.helo_name);
      if (gateway.tls) {
        fmt::print("  STARTTLS ({}: gateway_tls = {}), EHLO {}\n",
                   gateway.tls->required() ? "required" : "when offered", tls_level,
                   gateway.helo_name);
      }
      fmt::print("  MAIL FROM:<{}>\n", q.mail_from);
      for (const std::string& r : q.recipients) fmt::print("  RCPT TO:<{}>\n", r);
      fmt::print("  DATA ({} bytes)\nnothing was sent or changed (--dry-run)\n", q.message.size());
    }
    return kExitOk;
  }

  std::string mark = who + std::string(kReleasingMark);
  MarkResult marked = updateRelease(*store, q.ref, q.released_by, mark, 0);
  if (marked.mark != Mark::kSet) return failure(marked.message);

  GatewayOutcome sent = sendThroughGateway(gateway, q.mail_from, q.recipients, q.message);
  if (!sent.delivered) {
    if (sent.uncertain) {
      return failure(fmt::format(
          "{} went to the gateway but no answer came ({}); it may have been delivered, so it "
          "stays marked '{}': check the gateway's log for {}, and only if it never arrived, "
          "release again with --force",
          q.ref, sent.reply, mark, q.ref));
    }
    MarkResult cleared = updateRelease(*store, q.ref, mark, "", 0);
    std::string note = cleared.mark == Mark::kSet
                           ? std::string("it is still held")
                           : "and clearing the release mark failed: " + cleared.message;
    return failure(fmt::format("{} was not delivered: {}; {}", q.ref, sent.reply, note));
  }
  std::int64_t released_at = ctx.now();
  MarkResult done = updateRelease(*store, q.ref, mark, who, released_at);
  if (done.mark != Mark::kSet) {
    return failure(fmt::format(
        "{} was delivered ({}), but recording the release failed: {}; it stays marked '{}' so "
        "it is not sent again",
        q.ref, sent.reply, done.message, mark));
  }
  if (ctx.json()) {
    fmt::print("{}\n", nlohmann::json{{"ref", q.ref},
                                      {"released_by", who},
                                      {"released_at", released_at},
                                      {"accepted", sent.accepted},
                                      {"refused", sent.refused},
                                      {"gateway_tls", sent.tls},
                                      {"plaintext_reason", sent.plaintext_reason},
                                      {"gateway_reply", sent.reply}}
                           .dump());
  } else {
    std::string channel =
        !sent.tls.empty() ? "over TLS (" + sent.tls + ")"
        : !sent.plaintext_reason.empty()
            ? fmt::format("in plaintext ({}; gateway_tls = {})", sent.plaintext_reason, tls_level)
            : std::string("in plaintext");
    fmt::print("released {} to {} by {} {}: the gateway said {}\n", q.ref,
               fmt::join(sent.accepted, ", "), who, channel, sent.reply);
  }
  if (!sent.refused.empty()) {
    return failure(fmt::format("the gateway refused some recipients, which did not get {}: {}",
                               q.ref, fmt::join(sent.refused, "; ")));
  }
  return kExitOk;
}

}  // namespace ts::ctl
