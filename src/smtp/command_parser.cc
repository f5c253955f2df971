// MAIL and RCPT are matched with their "FROM:" / "TO:" so that "MAIL" alone is a syntax
// error of MAIL, not an unknown command (RFC 5321 section 4.1.1).
#include "smtp/command_parser.h"

#include <array>
#include <utility>

#include "util/ascii.h"

namespace ts::smtp {
namespace {

constexpr std::array<std::pair<std::string_view, Verb>, 13> kVerbs{{
    {"HELO", Verb::kHelo},
    {"EHLO", Verb::kEhlo},
    {"MAIL", Verb::kMail},
    {"RCPT", Verb::kRcpt},
    {"DATA", Verb::kData},
    {"RSET", Verb::kRset},
    {"NOOP", Verb::kNoop},
    {"QUIT", Verb::kQuit},
    {"HELP", Verb::kHelp},
    {"VRFY", Verb::kVrfy},
    {"EXPN", Verb::kExpn},
    {"STARTTLS", Verb::kStarttls},
    {"AUTH", Verb::kAuth},
}};

}  // namespace

Command parseCommand(std::string_view line) {
  std::size_t verb_end = line.find(' ');
  std::string_view verb = line.substr(0, verb_end);
  Command cmd;
  for (const auto& [name, v] : kVerbs) {
    if (asciiEqualsIgnoreCase(verb, name)) {
      cmd.verb = v;
      break;
    }
  }
  if (verb_end != std::string_view::npos) {
    std::string_view rest = line.substr(verb_end);
    std::size_t start = rest.find_first_not_of(' ');
    std::size_t end = rest.find_last_not_of(' ');
    if (start != std::string_view::npos) cmd.argument = rest.substr(start, end - start + 1);
  }
  return cmd;
}

std::string_view verbName(Verb v) {
  for (const auto& [name, verb] : kVerbs) {
    if (verb == v) return name;
  }
  return "UNKNOWN";
}

bool hasControlBytes(std::string_view line) {
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) return true;
  }
  return false;
}

std::optional<std::string_view> heloName(std::string_view argument) {
  std::string_view name = argument.substr(0, argument.find(' '));
  if (name.empty()) return std::nullopt;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return std::nullopt;
  }
  return name;
}

}  // namespace ts::smtp
