// Splits one SMTP command line (CRLF already removed) into its verb and argument.
// Works on views into the session's line buffer: no allocation per command.
#pragma once

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

}  // namespace ts::smtp
