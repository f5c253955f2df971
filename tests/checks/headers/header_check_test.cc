// Table-driven cases of the header compliance check with a fixed clock: which header
// sections pass, which problem each broken one reports, with which code and score, and
// that hostile header sections cost one bounded pass.
#include "checks/headers/header_check.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace ts {
namespace {

// Wed, 02 Dec 2026 10:00:00 UTC.
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1796205600)};

// A compliant header section, every field replaceable: an empty string leaves it out.
struct Fields {
  std::string from = "From: Alerts <alerts@example.com>";
  std::string date = "Date: Wed, 02 Dec 2026 09:30:00 +0000";
  std::string message_id = "Message-ID: <20261202093000.4711@mail.example.com>";
  std::string subject = "Subject: Server down";
  std::string extra;
};

std::string message(const Fields& f, const char* eol = "\r\n") {
  std::string m;
  for (const std::string* field : {&f.from, &f.date, &f.message_id, &f.subject, &f.extra}) {
    if (!field->empty()) m += *field + eol;
  }
  m += "To: 5551234567@sms.example.net";
  m += eol;
  m += eol;
  m += "db01 is not answering.";
  m += eol;
  return m;
}

std::string names(const std::vector<CheckResult>& results) {
  std::string out;
  for (const CheckResult& r : results) out += (out.empty() ? "" : ",") + r.check;
  return out;
}

HeaderConfig config() {
  HeaderConfig c;
  c.action = Action::kScore;
  c.score = 2.5;
  return c;
}

struct Case {
  const char* what;
  std::string raw;
  bool smtputf8;
  const char* expected;  // the failing checks in order, comma-separated; "" when compliant
};

Fields with(void (*edit)(Fields&)) {
  Fields f;
  edit(f);
  return f;
}

TEST(HeaderCheck, CompliantMessages) {
  const Case cases[] = {
      {"plain CRLF", message(Fields{}), false, ""},
      {"LF line ends", message(Fields{}, "\n"), false, ""},
      {"folded Subject and Date", message(with([](Fields& f) {
         f.subject = "Subject: Server down\r\n\tin rack 4\r\n  since 09:00";
         f.date = "Date: Wed, 02 Dec 2026\r\n 09:30:00 +0000";
       })),
       false, ""},
      {"RFC 2047 encoded words", message(with([](Fields& f) {
         f.subject = "Subject: =?UTF-8?B?U2VydmVyIGF1c2dlZmFsbGVu?= =?ISO-8859-1?Q?f=FCr?=";
         f.from = "From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.com>";
       })),
       false, ""},
      {"no Message-ID", message(with([](Fields& f) { f.message_id.clear(); })), false, ""},
      {"IPv6 literal in Message-ID",
       message(with([](Fields& f) { f.message_id = "Message-ID: <a.b-c@[IPv6:2001:db8::1]>"; })),
       false, ""},
      {"IPv4 literal in Message-ID",
       message(with([](Fields& f) { f.message_id = "Message-Id: <x@[192.0.2.1]>"; })), false, ""},
      {"Message-ID with CFWS", message(with([](Fields& f) {
         f.message_id = "Message-ID:\r\n  <x!#$%&'*+/=?^_`{|}~@host.example> (made (here))  ";
       })),
       false, ""},
      {"lower-case names, obsolete space before the colon", message(with([](Fields& f) {
         f.from = "from : a@example.com";
         f.date = "DATE: Wed, 02 Dec 2026 09:30:00 +0000";
       })),
       false, ""},
      {"8-bit with SMTPUTF8",
       message(with([](Fields& f) { f.subject = "Subject: Serveur arr\xc3\xaat\xc3\xa9"; })), true,
       ""},
      {"Date with zone comment and another offset",
       message(with([](Fields& f) { f.date = "Date: Wed, 2 Dec 2026 01:30:00 -0800 (PST)"; })),
       false, ""},
      {"Date two days old",
       message(with([](Fields& f) { f.date = "Date: Mon, 30 Nov 2026 11:00:00 +0000"; })), false,
       ""},
      {"Date 23 hours ahead",
       message(with([](Fields& f) { f.date = "Date: Thu, 03 Dec 2026 09:00:00 +0000"; })), false,
       ""},
      {"line of exactly 998 bytes",
       message(with([](Fields& f) { f.extra = "X-Long: " + std::string(990, 'a'); })), false, ""},
      {"long field folded into short lines", message(with([](Fields& f) {
         f.extra = "X-Long: start";
         for (int i = 0; i < 20; ++i) f.extra += "\r\n " + std::string(900, 'b');
       })),
       false, ""},
      {"8-bit bytes and long lines in the body only",
       message(Fields{}) + "caf\xc3\xa9 " + std::string(2000, 'z') + "\r\n", false, ""},
  };
  HeaderConfig settings = config();  // the check keeps a reference
  HeaderCheck check(settings);
  for (const Case& c : cases) {
    std::vector<CheckResult> results = check.evaluate(c.raw, c.smtputf8, kNow);
    EXPECT_EQ(names(results), c.expected)
        << c.what << ": " << (results.empty() ? "" : results.front().reason);
  }
}

struct Problem {
  const char* what;
  std::string raw;
  bool smtputf8;
  const char* expected;
  const char* enhanced;  // of the first result
  const char* reason_has;
};

TEST(HeaderCheck, Problems) {
  const Problem cases[] = {
      {"no Date", message(with([](Fields& f) { f.date.clear(); })), false, "header_date", "5.6.0",
       "no Date: header field"},
      {"unreadable Date", message(with([](Fields& f) { f.date = "Date: soon-ish"; })), false,
       "header_date", "5.6.0", "\"soon-ish\" is not an RFC 5322 date-time"},
      {"empty Date", message(with([](Fields& f) { f.date = "Date:   "; })), false, "header_date",
       "5.6.0", "is not an RFC 5322 date-time"},
      {"two Dates",
       message(with([](Fields& f) { f.extra = "Date: Wed, 02 Dec 2026 09:31:00 +0000"; })), false,
       "header_date", "5.6.0", "2 Date: header fields"},
      {"Date 12 days old",
       message(with([](Fields& f) { f.date = "Date: Fri, 20 Nov 2026 10:00:00 +0000"; })), false,
       "header_date_range", "5.7.1",
       "Message refused: its Date (2026-11-20 10:00 UTC) is 12 days old, older than the 3 days "
       "this gateway accepts; an SMS alert this old would mislead its reader. Send current "
       "alerts only, and check the sending system's clock and queue."},
      {"Date 73 hours old",
       message(with([](Fields& f) { f.date = "Date: Sun, 29 Nov 2026 09:00:00 +0000"; })), false,
       "header_date_range", "5.7.1", "is 73 hours old, older than the 3 days"},
      {"Date 2 days ahead",
       message(with([](Fields& f) { f.date = "Date: Fri, 04 Dec 2026 10:00:00 +0000"; })), false,
       "header_date_range", "5.7.1",
       "(2026-12-04 10:00 UTC) is 2 days in the future, further ahead than the 1 day"},
      {"Message-ID without brackets",
       message(with([](Fields& f) { f.message_id = "Message-ID: abc@example.com"; })), false,
       "header_message_id", "5.6.0", "\"abc@example.com\" is not an RFC 5322 msg-id"},
      {"Message-ID without @",
       message(with([](Fields& f) { f.message_id = "Message-ID: <abc.example.com>"; })), false,
       "header_message_id", "5.6.0", "msg-id"},
      {"Message-ID with a double dot",
       message(with([](Fields& f) { f.message_id = "Message-ID: <a..b@example.com>"; })), false,
       "header_message_id", "5.6.0", "msg-id"},
      {"Message-ID with a space inside",
       message(with([](Fields& f) { f.message_id = "Message-ID: <a b@example.com>"; })), false,
       "header_message_id", "5.6.0", "msg-id"},
      {"Message-ID holding two ids",
       message(with([](Fields& f) { f.message_id = "Message-ID: <a@b.example> <c@d.example>"; })),
       false, "header_message_id", "5.6.0", "msg-id"},
      {"Message-ID with an unclosed literal",
       message(with([](Fields& f) { f.message_id = "Message-ID: <a@[192.0.2.1>"; })), false,
       "header_message_id", "5.6.0", "msg-id"},
      {"Message-ID with an unclosed comment",
       message(with([](Fields& f) { f.message_id = "Message-ID: <a@b.example> (oops"; })), false,
       "header_message_id", "5.6.0", "msg-id"},
      {"empty Message-ID", message(with([](Fields& f) { f.message_id = "Message-ID:"; })), false,
       "header_message_id", "5.6.0", "msg-id"},
      {"two Message-IDs",
       message(with([](Fields& f) { f.extra = "Message-ID: <other@mail.example.com>"; })), false,
       "header_message_id", "5.6.0", "2 Message-ID: header fields"},
      {"no From", message(with([](Fields& f) { f.from.clear(); })), false, "header_from", "5.6.0",
       "no From: header field"},
      {"two Froms", message(with([](Fields& f) { f.extra = "FROM: b@example.com"; })), false,
       "header_from", "5.6.0", "2 From: header fields"},
      {"8-bit Subject without SMTPUTF8",
       message(with([](Fields& f) { f.subject = "Subject: Serveur arr\xc3\xaat\xc3\xa9"; })), false,
       "header_8bit", "5.6.7",
       "header field Subject holds 8-bit characters, but the message was not sent with "
       "SMTPUTF8; use RFC 2047 encoded words, or send with SMTPUTF8."},
      {"8-bit in a folded line",
       message(with([](Fields& f) { f.subject = "Subject: ok\r\n caf\xc3\xa9"; })), false,
       "header_8bit", "5.6.7", "Subject"},
      {"line of 999 bytes",
       message(with([](Fields& f) { f.extra = "X-Long: " + std::string(991, 'a'); })), false,
       "header_line_length", "5.6.0",
       "header line 5 (X-Long) is 999 bytes long, but RFC 5322 allows at most 998"},
      {"everything at once", "Subject: caf\xc3\xa9 " + std::string(1200, 'x') + "\r\n\r\nbody",
       false, "header_date,header_from,header_8bit,header_line_length", "5.6.0", "Date"},
  };
  HeaderConfig settings = config();  // the check keeps a reference
  HeaderCheck check(settings);
  for (const Problem& c : cases) {
    std::vector<CheckResult> results = check.evaluate(c.raw, c.smtputf8, kNow);
    ASSERT_EQ(names(results), c.expected) << c.what;
    const CheckResult& r = results.front();
    EXPECT_EQ(r.outcome, Outcome::kFail) << c.what;
    EXPECT_EQ(r.enhanced, c.enhanced) << c.what;
    EXPECT_EQ(r.score, 2.5) << c.what;
    EXPECT_NE(r.reason.find(c.reason_has), std::string::npos) << c.what << ": " << r.reason;
    EXPECT_FALSE(r.detail.empty()) << c.what;
  }
}

TEST(HeaderCheck, RangeFollowsConfig) {
  HeaderConfig c = config();
  c.date_max_age = std::chrono::hours(1);
  c.date_max_future = std::chrono::minutes(10);
  HeaderCheck check(c);
  auto old = check.evaluate(message(Fields{}), false, kNow + std::chrono::minutes(31));
  ASSERT_EQ(names(old), "header_date_range");
  EXPECT_NE(old[0].reason.find("is 61 minutes old, older than the 1 hour"), std::string::npos)
      << old[0].reason;
  auto ahead = check.evaluate(message(Fields{}), false, kNow - std::chrono::minutes(41));
  ASSERT_EQ(names(ahead), "header_date_range");
  EXPECT_NE(ahead[0].reason.find("11 minutes in the future, further ahead than the 10 minutes"),
            std::string::npos)
      << ahead[0].reason;
  EXPECT_TRUE(check.evaluate(message(Fields{}), false, kNow).empty());
}

TEST(HeaderCheck, LineLengthFollowsConfig) {
  HeaderConfig c = config();
  c.max_line_length = 100;
  HeaderCheck check(c);
  auto results = check.evaluate(
      message(with([](Fields& f) { f.extra = "X-Long: " + std::string(93, 'a'); })), false, kNow);
  ASSERT_EQ(names(results), "header_line_length");
  EXPECT_NE(results[0].reason.find("101 bytes long, but this gateway accepts at most 100"),
            std::string::npos)
      << results[0].reason;
}

TEST(HeaderCheck, QuotesOnlyPrintableText) {
  HeaderConfig settings = config();  // the check keeps a reference
  HeaderCheck check(settings);
  auto results = check.evaluate(
      message(with([](Fields& f) { f.message_id = std::string("Message-ID: <a\x01\xff@b>"); })),
      true, kNow);
  ASSERT_EQ(names(results), "header_message_id");
  EXPECT_NE(results[0].reason.find("\"<a??@b>\""), std::string::npos) << results[0].reason;
}

// A megabyte of header without an empty line, NULs in it and one overlong Date: one pass,
// reasons of bounded size.
TEST(HeaderCheck, HostileHeaderSections) {
  HeaderConfig settings = config();  // the check keeps a reference
  HeaderCheck check(settings);
  std::string huge(1 << 20, 'a');
  huge[5] = '\0';
  huge[1000] = '\n';
  auto start = std::chrono::steady_clock::now();
  auto results = check.evaluate(huge, false, kNow);
  EXPECT_EQ(names(results), "header_date,header_from,header_line_length");
  for (const CheckResult& r : results) EXPECT_LT(r.reason.size(), 400u) << r.reason;

  std::string date = "From: a@example.com\r\nDate: Wed, 02 Dec 2026 09:30:00 +0000";
  while (date.size() < (1 << 20)) date += "\r\n (comment)";
  results = check.evaluate(date + "\r\n\r\n", false, kNow);
  ASSERT_EQ(names(results), "header_date");
  EXPECT_NE(results[0].detail.find("longer than"), std::string::npos) << results[0].detail;

  std::string nul_date = message(Fields{});
  nul_date.replace(nul_date.find("09:30"), 1, std::string(1, '\0'));
  EXPECT_EQ(names(check.evaluate(nul_date, false, kNow)), "header_date");

  std::string many_lines;
  for (int i = 0; i < 50000; ++i) many_lines += "X-A: b\r\n \xff\r\n";
  results = check.evaluate(many_lines, false, kNow);
  EXPECT_EQ(names(results), "header_date,header_from,header_8bit");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));

  EXPECT_EQ(names(check.evaluate("", false, kNow)), "header_date,header_from");
}

}  // namespace
}  // namespace ts
