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

TEST(CommandParser, ControlBytes) {
  using namespace std::string_view_literals;
  EXPECT_FALSE(hasControlBytes("MAIL FROM:<a@b.c>"));
  EXPECT_FALSE(hasControlBytes("NOOP\tx"));
  EXPECT_FALSE(
      hasControlBytes("EHLO b\xc3\xbc"
                      "cher.de"));
  for (std::string_view line : {"EHLO a\0b"sv, "EHLO a\rb"sv, "NOOP \x1b[0m"sv, "RSET\x7f"sv}) {
    EXPECT_TRUE(hasControlBytes(line)) << line;
  }
}

TEST(CommandParser, HeloName) {
  EXPECT_EQ(heloName("mail.example.com"), "mail.example.com");
  EXPECT_EQ(heloName("mail.example.com and more"), "mail.example.com");
  EXPECT_EQ(heloName("[192.0.2.1]"), "[192.0.2.1]");
  for (const char* arg : {"", " lead", "b\xc3\xbc.de", "a\tb", "del\x7f"}) {
    EXPECT_FALSE(heloName(arg).has_value()) << arg;
  }
}

}  // namespace
}  // namespace ts::smtp
