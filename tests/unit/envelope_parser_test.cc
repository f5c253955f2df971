// MAIL FROM / RCPT TO argument parsing, including the relay tricks that must not parse
// into something the recipient policy could mistake for a local subscriber.
#include "smtp/envelope_parser.h"

#include <gtest/gtest.h>

namespace ts::smtp {
namespace {

TEST(EnvelopeParser, PlainSender) {
  auto m = parseMailFrom("FROM:<alerts@example.com>");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->sender.local_part, "alerts");
  EXPECT_EQ(m->sender.domain, "example.com");
  EXPECT_FALSE(m->smtputf8);
}

TEST(EnvelopeParser, NullSenderAndSpaceAfterColon) {
  auto m = parseMailFrom("from: <>");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->sender.empty());
}

TEST(EnvelopeParser, Parameters) {
  auto m = parseMailFrom("FROM:<a@b.example> SIZE=1234 BODY=8BITMIME SMTPUTF8");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size.value(), 1234u);
  EXPECT_EQ(m->body, BodyType::k8BitMime);
  EXPECT_TRUE(m->smtputf8);
  EXPECT_EQ(parseMailFrom("FROM:<a@b.example> SIZE=abc").error(), EnvelopeError::kSyntax);
  EXPECT_EQ(parseMailFrom("FROM:<a@b.example> BODY=9BIT").error(), EnvelopeError::kSyntax);
  EXPECT_TRUE(parseMailFrom("FROM:<a@b.example> AUTH=<>").ok());
  EXPECT_TRUE(parseMailFrom("FROM:<a@b.example> AUTH=alerts+2Bops@b.example SIZE=10").ok());
  EXPECT_EQ(parseMailFrom("FROM:<a@b.example> AUTH=").error(), EnvelopeError::kSyntax);
  EXPECT_EQ(parseMailFrom("FROM:<a@b.example> RET=FULL").error(),
            EnvelopeError::kUnsupportedParameter);
  EXPECT_EQ(parseRcptTo("TO:<1@b.example> NOTIFY=NEVER", false).error(),
            EnvelopeError::kUnsupportedParameter);
}

TEST(EnvelopeParser, SyntaxErrors) {
  for (const char* arg :
       {"", "FROM", "FROM:", "FROM:a@b.c", "TO:<a@b.c>", "FROM:<a@b.c", "FROM:<a@b.c>x"}) {
    EXPECT_EQ(parseMailFrom(arg).error(), EnvelopeError::kSyntax) << arg;
  }
}

TEST(EnvelopeParser, BadAddresses) {
  for (const char* arg : {"TO:<>", "TO:<@>", "TO:<a@>", "TO:<@b.c>", "TO:<a..b@c.d>", "TO:<.a@c.d>",
                          "TO:<a@-b.c>", "TO:<a@b..c>", "TO:<a@b.c.>", "TO:<a b@c.d>",
                          "TO:<\"unterminated@c.d>", "TO:<user>", "TO:<@a.b,@c:>"}) {
    auto r = parseRcptTo(arg, false);
    EXPECT_FALSE(r.ok()) << arg;
  }
}

TEST(EnvelopeParser, SourceRouteIsDropped) {
  auto r = parseRcptTo("TO:<@relay.example,@other.example:14155551212@sms.example.net>", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recipient.address(), "14155551212@sms.example.net");
}

TEST(EnvelopeParser, QuotedLocalPartIsKeptQuoted) {
  auto r = parseRcptTo("TO:<\"1415@evil.example\"@sms.example.net>", false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->recipient.quoted);
  EXPECT_EQ(r->recipient.domain, "sms.example.net");
}

TEST(EnvelopeParser, BarePostmaster) {
  auto r = parseRcptTo("TO:<Postmaster>", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recipient.local_part, "Postmaster");
  EXPECT_TRUE(r->recipient.domain.empty());
}

TEST(EnvelopeParser, Utf8NeedsSmtputf8AndMustBeWellFormed) {
  EXPECT_EQ(parseMailFrom("FROM:<j\xc3\xb6rg@example.com>").error(),
            EnvelopeError::kNonAsciiWithoutSmtputf8);
  EXPECT_TRUE(parseMailFrom("FROM:<j\xc3\xb6rg@example.com> SMTPUTF8").ok());
  EXPECT_EQ(parseMailFrom("FROM:<j\xc3rg@example.com> SMTPUTF8").error(),
            EnvelopeError::kInvalidUtf8);
  EXPECT_EQ(parseRcptTo("TO:<1@b\xff.example>", true).error(), EnvelopeError::kInvalidUtf8);
  EXPECT_EQ(parseRcptTo("TO:<\xc3\xb6@b.example>", false).error(),
            EnvelopeError::kNonAsciiWithoutSmtputf8);
}

TEST(EnvelopeParser, LengthLimits) {
  std::string local(65, 'a');
  EXPECT_EQ(parseRcptTo("TO:<" + local + "@b.example>", false).error(), EnvelopeError::kBadAddress);
  EXPECT_TRUE(parseRcptTo("TO:<" + std::string(64, 'a') + "@b.example>", false).ok());
}

TEST(EnvelopeParser, AddressLiteral) {
  auto r = parseRcptTo("TO:<1@[127.0.0.1]>", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recipient.domain, "[127.0.0.1]");
}

}  // namespace
}  // namespace ts::smtp
