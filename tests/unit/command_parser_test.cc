// Table-driven tests of the SMTP command splitter.
#include "smtp/command_parser.h"

#include <gtest/gtest.h>

namespace ts::smtp {
namespace {

struct Case {
  const char* line;
  Verb verb;
  const char* argument;
};

TEST(CommandParser, RecognisesVerbsCaseInsensitively) {
  const Case cases[] = {
      {"EHLO mail.example.com", Verb::kEhlo, "mail.example.com"},
      {"ehlo mail.example.com", Verb::kEhlo, "mail.example.com"},
      {"HeLo x", Verb::kHelo, "x"},
      {"MAIL FROM:<a@b.c> SIZE=10", Verb::kMail, "FROM:<a@b.c> SIZE=10"},
      {"rcpt TO:<1@b.c>", Verb::kRcpt, "TO:<1@b.c>"},
      {"DATA", Verb::kData, ""},
      {"RSET", Verb::kRset, ""},
      {"NOOP anything", Verb::kNoop, "anything"},
      {"QUIT", Verb::kQuit, ""},
      {"HELP", Verb::kHelp, ""},
      {"VRFY postmaster", Verb::kVrfy, "postmaster"},
      {"EXPN list", Verb::kExpn, "list"},
      {"STARTTLS", Verb::kStarttls, ""},
      {"starttls junk", Verb::kStarttls, "junk"},
      {"AUTH PLAIN AGFsaWNlAHNlY3JldA==", Verb::kAuth, "PLAIN AGFsaWNlAHNlY3JldA=="},
      {"EHLO   spaced.example   ", Verb::kEhlo, "spaced.example"},
  };
  for (const Case& c : cases) {
    Command cmd = parseCommand(c.line);
    EXPECT_EQ(cmd.verb, c.verb) << c.line;
    EXPECT_EQ(cmd.argument, c.argument) << c.line;
  }
}

TEST(CommandParser, UnknownAndMalformed) {
  for (const char* line : {"", " ", "MAILX FROM:<a@b>", "STARTTLSX", "DAT", "DATAX", "\xff\xfe"}) {
    EXPECT_EQ(parseCommand(line).verb, Verb::kUnknown) << line;
  }
}

TEST(CommandParser, VerbNames) {
  EXPECT_EQ(verbName(Verb::kMail), "MAIL");
  EXPECT_EQ(verbName(Verb::kUnknown), "UNKNOWN");
}

}  // namespace
}  // namespace ts::smtp
