// Splits one SMTP command line (CRLF already removed) into its verb and argument.
// Works on views into the session's line buffer: no allocation per command.
#pragma once

#include <optional>
#include <string_view>

namespace ts::smtp {

enum class Verb {
  kHelo,
  kEhlo,
  kMail,
  kRcpt,
  kData,
  kRset,
  kNoop,
  kQuit,
  kHelp,
  kVrfy,
  kExpn,
  kStarttls,
  kAuth,
  kUnknown
};

struct Command {
  Verb verb = Verb::kUnknown;
  std::string_view argument;  // text after the verb and its separating space(s)
};

Command parseCommand(std::string_view line);
std::string_view verbName(Verb v);

// NUL or another control byte (TAB aside) anywhere in the line: the session refuses such a
// command whole rather than guess what the client meant.
bool hasControlBytes(std::string_view line);
// The host name in a HELO/EHLO argument: its first word, printable ASCII without spaces.
// Nothing when the argument is empty or that word holds another byte.
std::optional<std::string_view> heloName(std::string_view argument);

}  // namespace ts::smtp
