// The SMS made of a mail: which part is the body, how MIME is decoded, how whitespace is
// tidied, and that the result is valid UTF-8 that fits.
#include "sms/sms_body.h"

#include <gtest/gtest.h>

#include <string>

#include "util/utf8.h"

namespace ts::sms {
namespace {

const SmsTemplate kDefault{"{subject}\n{body}"};

std::string mail(const std::string& headers, const std::string& body) {
  return "From: Alerts <alerts@example.com>\r\nTo: 15551234567@sms.example\r\n" + headers + "\r\n" +
         body;
}

std::string sms(const std::string& raw, const SmsTemplate& tmpl = kDefault,
                unsigned max_segments = 3) {
  FittedText fitted = composeSms(raw, "alerts@example.com", tmpl, max_segments);
  EXPECT_TRUE(isValidUtf8(fitted.text));
  EXPECT_LE(fitted.count.segments, max_segments);
  return fitted.text;
}

TEST(SmsBodyTest, SubjectAndPlainBody) {
  EXPECT_EQ(sms(mail("Subject: Disk full\r\n", "Volume /var on db1 is 98% full.\r\n")),
            "Disk full\nVolume /var on db1 is 98% full.");
}

TEST(SmsBodyTest, EmptyBodyGivesTheSubjectAlone) {
  EXPECT_EQ(sms(mail("Subject: Door 3 open\r\n", "")), "Door 3 open");
  EXPECT_EQ(sms(mail("Subject: Door 3 open\r\n", "\r\n  \r\n\t\r\n")), "Door 3 open");
}

TEST(SmsBodyTest, BodyWithoutSubject) {
  EXPECT_EQ(sms(mail("", "Pump 2 stopped\r\n")), "Pump 2 stopped");
}

TEST(SmsBodyTest, NothingAtAllHasNoSegment) {
  FittedText fitted = composeSms(mail("Subject:  \r\n", "\r\n"), "", kDefault, 3);
  EXPECT_EQ(fitted.text, "");
  EXPECT_EQ(fitted.count.segments, 0u);
  EXPECT_FALSE(fitted.truncated);
}

TEST(SmsBodyTest, SenderPlaceholder) {
  SmsTemplate tmpl{"{sender}: {subject}"};
  EXPECT_EQ(sms(mail("Subject: Test\r\n", "ignored"), tmpl), "alerts@example.com: Test");
}

TEST(SmsBodyTest, FromPlaceholderIsTheDisplayNameElseTheAddress) {
  SmsTemplate tmpl{"{from}: {subject}"};
  EXPECT_EQ(sms(mail("Subject: Test\r\n", "ignored"), tmpl), "Alerts: Test");
  EXPECT_EQ(sms("From: nagios@example.com\r\nSubject: Test\r\n\r\nx", tmpl),
            "nagios@example.com: Test");
  // An encoded name with a comma is still one name; its line breaks are spaces.
  EXPECT_EQ(
      sms("From: =?UTF-8?Q?M=C3=BCller=2C_Hans?= <h@example.com>\r\nSubject: Test\r\n\r\nx", tmpl),
      "M\u00fcller, Hans: Test");
  EXPECT_EQ(sms("Subject: Test\r\n\r\nx", tmpl), ": Test") << "no From: leaves it empty";
}

TEST(SmsBodyTest, WhitespaceIsTidied) {
  EXPECT_EQ(sms(mail("Subject:   Two\r\n  spaces\r\n",
                     "  Line one   has\ttabs  \r\n\r\n\r\n   Line two \r\n\r\n")),
            "Two spaces\nLine one has tabs\nLine two");
}

TEST(SmsBodyTest, InvisibleCharactersDoNotForceUcs2) {
  // No-break space, zero-width space, byte order mark, soft hyphen and a control.
  FittedText fitted = composeSms(mail("Content-Type: text/plain; charset=utf-8\r\n",
                                      "\xEF\xBB\xBFTank\xC2\xA0"
                                      "7\xE2\x80\x8B lev\xC2\xAD"
                                      "el\x07 low"),
                                 "", kDefault, 1);
  EXPECT_EQ(fitted.text, "Tank 7 level low");
  EXPECT_EQ(fitted.count.encoding, Encoding::kGsm7);
}

TEST(SmsBodyTest, HtmlOnlyMailIsReducedToText) {
  std::string raw = mail("Subject: Report\r\nContent-Type: text/html; charset=utf-8\r\n",
                         "<html><head><title>T</title><style>p{color:red}</style></head>"
                         "<body><p>Hello <b>world</b>,</p>\r\n<p>second&nbsp;line</p>"
                         "<script>alert(1)</script></body></html>\r\n");
  EXPECT_EQ(sms(raw), "Report\nHello world,\nsecond line");
}

std::string alternative(const std::string& plain, const std::string& html) {
  return mail(
      "Subject: Alt\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative; boundary=\"b1\"\r\n",
      "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + plain +
          "\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n--b1--\r\n");
}

TEST(SmsBodyTest, PlainPartIsPreferredToHtml) {
  EXPECT_EQ(sms(alternative("Plain version", "<p>HTML version</p>")), "Alt\nPlain version");
}

TEST(SmsBodyTest, BlankPlainPartFallsBackToHtml) {
  EXPECT_EQ(sms(alternative(" \r\n", "<p>HTML version</p>")), "Alt\nHTML version");
}

TEST(SmsBodyTest, QuotedPrintableBody) {
  EXPECT_EQ(sms(mail("Subject: QP\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: quoted-printable\r\n",
                     "Caf=C3=A9 on fl=\r\noor 2 =3D closed\r\n")),
            "QP\nCafé on floor 2 = closed");
}

TEST(SmsBodyTest, Base64Body) {
  // "Gratuit: café" in ISO-8859-1.
  EXPECT_EQ(sms(mail("Subject: B64\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
                     "Content-Transfer-Encoding: base64\r\n",
                     "R3JhdHVpdDogY2Fm6Q==\r\n")),
            "B64\nGratuit: café");
}

TEST(SmsBodyTest, EncodedWordSubject) {
  FittedText fitted = composeSms(
      mail("Subject: =?UTF-8?B?0KLQtdGB0YI=?= =?ISO-8859-1?Q?caf=E9?=\r\n", "x"), "", kDefault, 3);
  EXPECT_EQ(fitted.text, "Тестcafé\nx");
  EXPECT_EQ(fitted.count.encoding, Encoding::kUcs2);
}

TEST(SmsBodyTest, IllFormedUtf8IsReplaced) {
  FittedText fitted = composeSms(
      mail("Subject: Bad \xFF\r\nContent-Type: text/plain; charset=utf-8\r\n", "caf\xC3 ok\r\n"),
      "bad\xFE@example.com", SmsTemplate{"{subject} {body} {sender}"}, 3);
  EXPECT_TRUE(isValidUtf8(fitted.text));
  EXPECT_EQ(fitted.text.find('\xFF'), std::string::npos);
  EXPECT_NE(fitted.text.find("ok"), std::string::npos);
  EXPECT_NE(fitted.text.find("\uFFFD@example.com"), std::string::npos) << fitted.text;
}

TEST(SmsBodyTest, LongBodyIsCutToTheLimit) {
  std::string body;
  for (int i = 0; i < 100; ++i) body += "word" + std::to_string(i) + " ";
  FittedText fitted = composeSms(mail("Subject: Long\r\n", body), "", kDefault, 1);
  EXPECT_TRUE(fitted.truncated);
  EXPECT_EQ(fitted.count.segments, 1u);
  EXPECT_TRUE(fitted.text.starts_with("Long\nword0 word1 "));
  EXPECT_TRUE(fitted.text.ends_with("..."));
  EXPECT_FALSE(fitted.text.ends_with(" ..."));
  EXPECT_LE(fitted.text.size(), 160u);
}

TEST(SmsBodyTest, TheBodyIsCutNotWhatFollowsIt) {
  FittedText fitted = composeSms(mail("Subject: Long\r\n", std::string(400, 'x')),
                                 "ops@example.com", SmsTemplate{"{body}\n-- {sender}"}, 1);
  EXPECT_TRUE(fitted.truncated);
  EXPECT_EQ(fitted.text, std::string(138, 'x') + "...\n-- ops@example.com");
}

TEST(SmsBodyTest, TooLongSubjectIsCutAtTheEnd) {
  FittedText fitted =
      composeSms(mail("Subject: " + std::string(200, 's') + "\r\n", "body"), "", kDefault, 1);
  EXPECT_EQ(fitted.text, std::string(157, 's') + "...");
}

TEST(SmsBodyTest, GarbageGivesSomething) {
  FittedText fitted = composeSms(std::string("\0\xFF\r\n\r\n--", 8), "", kDefault, 2);
  EXPECT_TRUE(isValidUtf8(fitted.text));
  EXPECT_LE(fitted.count.segments, 2u);
}

}  // namespace
}  // namespace ts::sms
