// Fuzzes what the session does with a command line before a command's handler: the
// control-byte check, the verb split, and for HELO/EHLO the name and its syntax check (the
// MAIL and RCPT arguments are envelope_fuzz's). A reason may quote the client's name in a
// reply, so it must never carry a control byte that could end or forge a reply line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "checks/client_context.h"
#include "checks/helo/helo_check.h"
#include "net/socket_address.h"
#include "smtp/command_parser.h"
#include "util/ascii.h"

namespace {

bool within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void checkHelo(std::string_view argument) {
  std::optional<std::string_view> name = ts::smtp::heloName(argument);
  if (!name) return;
  if (name->empty() || argument.substr(0, name->size()) != *name) std::abort();
  if (ts::smtp::hasControlBytes(*name) || name->find(' ') != std::string_view::npos) std::abort();

  static const ts::HeloConfig config;
  static const ts::HeloCheck check(config);
  static const ts::SocketAddress peer = *ts::SocketAddress::parse("192.0.2.1:25");
  ts::ClientContext context{peer, std::string(*name), "mx.gateway.example", {"gateway.example"}};
  ts::CheckResult r = check.evaluate(context);
  if (r.outcome != ts::Outcome::kPass && r.outcome != ts::Outcome::kFail) std::abort();
  if (r.outcome == ts::Outcome::kFail && (r.reason.empty() || r.enhanced.empty())) std::abort();
  if (ts::smtp::hasControlBytes(r.reason)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  // The session refuses a line with control bytes before parsing it; the parser and the HELO
  // checks get such lines anyway, so that none of them depends on that order.
  ts::smtp::hasControlBytes(line);
  ts::smtp::Command cmd = ts::smtp::parseCommand(line);
  std::string_view arg = cmd.argument;
  if (!within(arg, line)) std::abort();
  if (!arg.empty() && (arg.front() == ' ' || arg.back() == ' ')) std::abort();
  if (cmd.verb != ts::smtp::Verb::kUnknown) {
    std::string_view name = ts::smtp::verbName(cmd.verb);
    if (!ts::asciiEqualsIgnoreCase(line.substr(0, name.size()), name)) std::abort();
    if (line.size() > name.size() && line[name.size()] != ' ') std::abort();
  }
  // Any verb's argument: the HELO checks see more shapes than EHLO lines alone would give.
  checkHelo(arg);
  return 0;
}
