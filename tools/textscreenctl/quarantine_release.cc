// `textscreenctl quarantine release`: deliver a held message through the gateway, once.
// The rules and the marks are the shared ones (store/quarantine_release_rules.h, which the
// staff dashboard uses too): the record is marked "WHO (releasing)" in its own write
// transaction before anything is sent, so a second or concurrent release is refused; the
// mark becomes "WHO" with a time on the gateway's 250, and is cleared again when the
// gateway refused the message or gateway_tls forbade sending it over the connection the
// gateway offered.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "command_line.h"
#include "commands.h"
#include "gateway_sender.h"
#include "held_message.h"
#include "relay/gateway_tls_config.h"
#include "store/quarantine_release_rules.h"
#include "time_text.h"

namespace ts::ctl {

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

  store::ReleaseAsk ask{now, config->quarantine_release_max_age, force};
  if (std::string refused = store::releaseRefusal(q, ask); !refused.empty()) {
    return failure(refused);
  }
  std::int64_t age = now - q.time;

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

  std::string mark = store::releasingMark(who);
  store::MarkResult marked = store::changeReleaseMark(*store, q.ref, q.released_by, mark, 0);
  if (!marked.done()) return failure(marked.message);

  GatewayOutcome sent = sendThroughGateway(gateway, q.mail_from, q.recipients, q.message);
  if (!sent.delivered) {
    if (sent.uncertain)
      return failure(store::uncertainReleaseText(q.ref, sent.reply, mark, ask.force_name));
    store::MarkResult cleared = store::changeReleaseMark(*store, q.ref, mark, "", 0);
    return failure(store::undeliveredText(q.ref, sent.reply, cleared));
  }
  std::int64_t released_at = ctx.now();
  store::MarkResult done = store::changeReleaseMark(*store, q.ref, mark, who, released_at);
  if (!done.done()) {
    return failure(store::unrecordedReleaseText(q.ref, sent.reply, done.message, mark));
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
