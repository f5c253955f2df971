// What the rules read of a message: decoded headers, decoded text with HTML reduced to its
// visible words, the links and the attachments. Garbage must give something, never a crash.
#include "checks/content/message_content.h"

#include <gtest/gtest.h>

#include <string>

#include "util/utf8.h"

namespace ts {
namespace {

std::string message(const std::string& headers, const std::string& body) {
  return "From: Alerts <alerts@example.com>\r\nTo: 15551234567@sms.example\r\n" + headers + "\r\n" +
         body;
}

TEST(MessageContentTest, PlainTextAndHeaders) {
  MessageContent c = extractContent(message("Subject: Truck 42\r\n dispatched\r\n",
                                            "Truck 42 dispatched to Dock 7 at 14:05\r\n"));
  ASSERT_NE(c.header("subject"), nullptr);
  EXPECT_EQ(c.header("SUBJECT")->value, "Truck 42 dispatched");
  EXPECT_EQ(c.header("X-Missing"), nullptr);
  EXPECT_EQ(c.headers.front().name, "From");
  EXPECT_EQ(c.text, "Truck 42 dispatched to Dock 7 at 14:05\n");
  EXPECT_TRUE(c.urls.empty());
  EXPECT_TRUE(c.attachments.empty());
}

TEST(MessageContentTest, FromNameIsTheFirstMailboxsNameElseItsAddress) {
  EXPECT_EQ(extractContent(message("", "x")).from_name, "Alerts");
  EXPECT_EQ(extractContent("From: ops@example.com, b@example.com\r\n\r\nx").from_name,
            "ops@example.com");
  EXPECT_EQ(extractContent("From: \"Dispatch, Night\" <d@example.com>\r\n\r\nx").from_name,
            "Dispatch, Night");
  EXPECT_EQ(extractContent("From: =?ISO-8859-1?Q?Caf=E9?= <c@example.com>\r\n\r\nx").from_name,
            "Caf\u00e9");
  EXPECT_EQ(extractContent("Subject: none\r\n\r\nx").from_name, "");
}

TEST(MessageContentTest, SizeIsTheRawMessage) {
  std::string raw = message("Subject: x\r\n", "hello\r\n");
  EXPECT_EQ(extractContent(raw).size, raw.size());
}

TEST(MessageContentTest, EncodedWordSubject) {
  MessageContent c =
      extractContent(message("Subject: =?UTF-8?B?R3LDvMOfZQ==?= =?ISO-8859-1?Q?caf=E9?=\r\n", "x"));
  EXPECT_EQ(c.header("Subject")->value, "Grüßecafé");
}

TEST(MessageContentTest, QuotedPrintableBody) {
  MessageContent c =
      extractContent(message("Content-Type: text/plain; charset=utf-8\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n",
                             "Free bit=\r\ncoin for caf=C3=A9 =3D now\r\n"));
  EXPECT_EQ(c.text, "Free bitcoin for café = now\n");
}

TEST(MessageContentTest, Base64Latin1Body) {
  // "Gratuit: café" in ISO-8859-1, base64.
  MessageContent c =
      extractContent(message("Content-Type: text/plain; charset=iso-8859-1\r\n"
                             "Content-Transfer-Encoding: base64\r\n",
                             "R3JhdHVpdDogY2Fm6Q==\r\n"));
  EXPECT_EQ(c.text, "Gratuit: café");
}

TEST(MessageContentTest, InvalidUtf8IsCleaned) {
  const std::string cases[] = {
      message("Content-Type: text/plain; charset=utf-8\r\n", "bad \xff\xfe bytes\r\n"),
      message("Content-Type: text/plain\r\n", "bad \xff\xfe bytes\r\n"),
      message("Content-Type: text/html; charset=utf-8\r\n", "<p>bad \xff\xfe bytes</p>\r\n"),
      message("Subject: bad \xff\xfe bytes\r\n", "bad \xc3 bytes")};
  for (const std::string& raw : cases) {
    MessageContent c = extractContent(raw);
    EXPECT_TRUE(isValidUtf8(c.text)) << c.text;
    EXPECT_NE(c.text.find("bad "), std::string::npos) << c.text;
    EXPECT_NE(c.text.find(" bytes"), std::string::npos) << c.text;
    for (const MessageHeader& h : c.headers) EXPECT_TRUE(isValidUtf8(h.value)) << h.value;
  }
}

TEST(MessageContentTest, AlternativeWithHtml) {
  std::string raw =
      message("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n",
              "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
              "Claim your prize at www.Example.org/claim.\r\n"
              "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
              "<html><head><title>t</title><style>p{color:red}</style></head><body>"
              "<script>var hidden='secret';</script><p>Claim&nbsp;your <b>prize</b></p>"
              "<div>now</div><a href=\" https://User@Bit.LY.:8080/x?y \">here</a>"
              "<a href=\"mailto:x@example.com\">mail</a></body></html>\r\n"
              "--b1--\r\n");
  MessageContent c = extractContent(raw);
  EXPECT_NE(c.text.find("Claim your prize at www.Example.org/claim."), std::string::npos);
  EXPECT_NE(c.text.find("Claim your prize\nnow\nhere"), std::string::npos) << c.text;
  EXPECT_EQ(c.text.find("secret"), std::string::npos);
  EXPECT_EQ(c.text.find("color"), std::string::npos);
  ASSERT_EQ(c.urls.size(), 2u);
  EXPECT_EQ(c.urls[0].url, "http://www.Example.org/claim");
  EXPECT_EQ(c.urls[0].host, "www.example.org");
  EXPECT_EQ(c.urls[1].url, "https://User@Bit.LY.:8080/x?y");
  EXPECT_EQ(c.urls[1].host, "bit.ly");
  EXPECT_TRUE(c.attachments.empty());
}

TEST(MessageContentTest, RepeatedUrlsCountOnce) {
  MessageContent c = extractContent(
      message("", "see http://a.example/x, http://a.example/x and (https://b.example)\r\n"));
  ASSERT_EQ(c.urls.size(), 2u);
  EXPECT_EQ(c.urls[0].url, "http://a.example/x");
  EXPECT_EQ(c.urls[1].url, "https://b.example");
  EXPECT_EQ(c.urls[1].host, "b.example");
}

TEST(MessageContentTest, Attachments) {
  std::string raw =
      message("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n",
              "--m\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
              "--m\r\nContent-Type: application/octet-stream; name=\"invoice.pdf.exe\"\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n"
              "--m\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
              "filename=\"notes.txt\"\r\n\r\nnot body text\r\n"
              "--m\r\nContent-Type: image/png\r\n\r\niVBORw0KGgo=\r\n"
              "--m--\r\n");
  MessageContent c = extractContent(raw);
  EXPECT_EQ(c.text, "See attached.");
  ASSERT_EQ(c.attachments.size(), 3u);
  EXPECT_EQ(c.attachments[0].filename, "invoice.pdf.exe");
  EXPECT_EQ(c.attachments[0].content_type, "application/octet-stream");
  EXPECT_EQ(c.attachments[1].filename, "notes.txt");
  EXPECT_EQ(c.attachments[1].content_type, "text/plain");
  EXPECT_EQ(c.attachments[2].filename, "");
  EXPECT_EQ(c.attachments[2].content_type, "image/png");
}

TEST(MessageContentTest, GarbageDoesNotCrash) {
  const std::string inputs[] = {
      "",
      "\r\n\r\n",
      "no headers at all, just words",
      std::string("\0\xff\xfe:\x01\r\n\r\n\x80", 11),
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x\r\n--x--",
      "Content-Type: text/html\r\n\r\n<a href=<<<<b><<script>",
      "Subject: =?bogus?Q?=ZZ?=\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!@@@@",
  };
  for (const std::string& raw : inputs) {
    MessageContent c = extractContent(raw);
    EXPECT_EQ(c.size, raw.size());
  }
}

TEST(MessageContentTest, DeepNestingIsBounded) {
  std::string raw = "Content-Type: multipart/mixed; boundary=b0\r\n\r\n";
  for (int i = 1; i < 200; ++i) {
    raw += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" +
           std::to_string(i) + "\r\n\r\n";
  }
  raw += "--b199\r\nContent-Type: text/plain\r\n\r\ndeep\r\n";
  MessageContent c = extractContent(raw);
  EXPECT_EQ(c.text.find("deep"), std::string::npos);
}

TEST(MessageContentTest, TextIsCappedAtOneMebibyte) {
  std::string body(3 * 1024 * 1024, 'a');
  MessageContent c = extractContent(message("", body));
  EXPECT_EQ(c.text.size(), 1024u * 1024u);
  // A cut through a two-byte character drops the character, so the text stays valid.
  std::string odd = "b";
  for (int i = 0; i < 1024 * 1024; i += 2) odd += "\xc3\xa9";
  MessageContent split =
      extractContent(message("Content-Type: text/plain; charset=utf-8\r\n", odd));
  EXPECT_EQ(split.text.size(), 1024u * 1024u - 1);
  EXPECT_TRUE(isValidUtf8(split.text));
  ASSERT_EQ(split.plain_parts.size(), 1u);
  EXPECT_EQ(split.plain_parts[0].end, split.text.size());
}

TEST(MessageContentTest, PlainPartsAreMarkedInTheText) {
  MessageContent c = extractContent(
      message("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n",
              "--b\r\nContent-Type: text/html\r\n\r\n<p>First html</p>\r\n"
              "--b\r\nContent-Type: text/plain\r\n\r\nPlain one\r\n"
              "--b\r\nContent-Type: text/html\r\n\r\n<p>Second html</p>\r\n"
              "--b\r\nContent-Type: text/plain\r\n\r\nPlain two\r\n--b--\r\n"));
  ASSERT_EQ(c.plain_parts.size(), 2u);
  std::string_view text = c.text;
  auto part = [&](std::size_t i) {
    return text.substr(c.plain_parts[i].begin, c.plain_parts[i].end - c.plain_parts[i].begin);
  };
  EXPECT_EQ(part(0), "Plain one");
  EXPECT_EQ(part(1), "Plain two");
  EXPECT_NE(c.text.find("First html"), std::string::npos);
}

TEST(MessageContentTest, HtmlOnlyHasNoPlainPart) {
  MessageContent c = extractContent(message("Content-Type: text/html\r\n", "<p>Only html</p>"));
  EXPECT_TRUE(c.plain_parts.empty());
  EXPECT_EQ(c.text, "Only html\n");
}

// GMime 3.2.13 leaked the address it read before a comment left open after a domain
// literal, in any address field of the message or of a message inside it (LeakSanitizer
// fails this test in the ASan build when gmimeSafeText is bypassed).
TEST(MessageContentTest, AnOpenCommentAfterALiteralIsReadWithoutLeaking) {
  std::string inner =
      "Cc: <> \"x, a@[192.0.2.1] (\" <b@example.com>\r\nSubject: inner\r\n\r\nInner text\r\n";
  MessageContent c = extractContent(
      "From: a@[192.0.2.1] (Alerts, b@[192.0.2.2] (x\r\nTo: <> \"x, c@[192.0.2.3] (\"\r\n"
      "Subject: outer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nOuter text\r\n"
      "--b\r\nContent-Type: message/rfc822\r\n\r\n" +
      inner + "--b--\r\n");
  ASSERT_NE(c.header("Subject"), nullptr);
  EXPECT_EQ(c.header("Subject")->value, "outer");
  EXPECT_NE(c.text.find("Outer text"), std::string::npos) << c.text;
  EXPECT_NE(c.text.find("Inner text"), std::string::npos) << c.text;
}

}  // namespace
}  // namespace ts
