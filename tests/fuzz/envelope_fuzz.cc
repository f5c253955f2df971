// Fuzzes the command splitter and the MAIL/RCPT parsers with arbitrary command lines:
// no crash, no undefined behaviour, and whatever parses must be well-formed UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "smtp/command_parser.h"
#include "smtp/envelope_parser.h"
#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  ts::smtp::Command cmd = ts::smtp::parseCommand(line);
  if (auto mail = ts::smtp::parseMailFrom(cmd.argument); mail.ok()) {
    if (!ts::isValidUtf8(mail->sender.address())) std::abort();
    if (!mail->smtputf8 && !ts::isAscii(mail->sender.address())) std::abort();
  }
  for (bool utf8 : {false, true}) {
    if (auto rcpt = ts::smtp::parseRcptTo(cmd.argument, utf8); rcpt.ok()) {
      if (!ts::isValidUtf8(rcpt->recipient.address())) std::abort();
      if (rcpt->recipient.local_part.empty()) std::abort();
    }
  }
  return 0;
}
