// The From: domain DMARC judges: one field, one mailbox, one domain, read with GMime from
// real-world header shapes (display names, comments, folding, encoded words), and a plain
// reason for everything else.
#include "checks/dmarc/from_header.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

std::string domainOf(const std::string& headers) {
  Result<std::string> d = fromDomain(headers + "Subject: x\r\n\r\nFrom: body@body.example\r\n");
  return d ? *d : "error: " + d.error().message;
}

TEST(DmarcFromHeader, ReadsTheDomainOfTheOneMailbox) {
  EXPECT_EQ(domainOf("From: a@example.com\r\n"), "example.com");
  EXPECT_EQ(domainOf("From: \"Alice Smith\" <Alice@Example.COM>\r\n"), "example.com");
  EXPECT_EQ(domainOf("from: a@example.com (the boss)\r\n"), "example.com");
  EXPECT_EQ(domainOf("FROM : a@example.com\r\n"), "example.com");
  EXPECT_EQ(domainOf("From: \"x@evil.example\" <a@example.com>\r\n"), "example.com");
  EXPECT_EQ(domainOf("From: =?utf-8?q?J=C3=B6rg?= <j@example.de>\r\n"), "example.de");
  EXPECT_EQ(domainOf("From: a@example.com.\r\n"), "example.com");
  EXPECT_EQ(domainOf("Received: from x\r\nFrom: Alice\r\n <a@example.com>\r\n"), "example.com");
  EXPECT_EQ(domainOf("From:\r\n\ta@example.com\r\n"), "example.com");
}

// A-labels are what DNS and DKIM d= use; GMime's IDNA conversion gives them either way.
TEST(DmarcFromHeader, AnInternationalisedDomainComesInALabels) {
  EXPECT_EQ(domainOf("From: j@B\xc3\xbc"
                     "cher.de\r\n"),
            "xn--bcher-kva.de");
  EXPECT_EQ(domainOf("From: j@xn--bcher-kva.de\r\n"), "xn--bcher-kva.de");
}

TEST(DmarcFromHeader, SaysWhatIsWrong) {
  EXPECT_EQ(domainOf("To: x@example.com\r\n"),
            "error: DMARC: the message has no From: field; it must have exactly one From: "
            "address; fix the sending software");
  EXPECT_EQ(domainOf("From: a@example.com\r\nFrom: b@example.com\r\n"),
            "error: DMARC: the message has 2 From: fields; it must have exactly one From: "
            "address; fix the sending software");
  EXPECT_EQ(domainOf("From: a@example.com, b@example.org\r\n"),
            "error: DMARC: the From: field holds 2 addresses; the message must have exactly "
            "one From: address; fix the sending software");
  EXPECT_EQ(domainOf("From: undisclosed:;\r\n"),
            "error: DMARC: the From: field holds a group, not one mailbox; the message must "
            "have exactly one From: address; fix the sending software");
  EXPECT_EQ(domainOf("From: <>\r\n"),
            "error: DMARC: the From: field holds no address; every message must have exactly "
            "one From: address; fix the sending software");
  for (const char* bad :
       {"From: alice\r\n", "From: a@[192.0.2.1]\r\n", "From: a@exa!mple.com\r\n"}) {
    EXPECT_EQ(domainOf(bad),
              "error: DMARC: the From: address has no valid domain; the message must have "
              "exactly one From: address with a domain; fix the sending software")
        << bad;
  }
}

// Found by header_fuzz: GMime leaked the parse of a domain literal followed by an open
// comment (LeakSanitizer in the ASan build); an open comment is refused before GMime.
TEST(DmarcFromHeader, AnOpenCommentQuoteOrLiteralIsRefused) {
  for (const char* bad : {"From: mp@[a](>\r\n", "From: a@example.com (the boss\r\n",
                          "From: a@example.com ((nested)\r\n", "From: mp@[:x]\"From: mp@[:y](>\r\n",
                          "From: \"Desk <a@example.com>\r\n", "From: a@[192.0.2.1\r\n"}) {
    EXPECT_EQ(domainOf(bad),
              "error: DMARC: the From: field has a comment, quoted string or address literal "
              "that is never closed; the message must have exactly one From: address; fix the "
              "sending software")
        << bad;
  }
  // Found by header_fuzz after that: GMime gives up on "<>", skips to the comma inside the
  // quotes and reads "a@[192.0.2.1] (" there. gmimeSafeText keeps that '(' from GMime.
  EXPECT_EQ(domainOf("From: <> \"x, a@[192.0.2.1] (\" <b@example.com>\r\n"),
            "error: DMARC: the From: field holds 2 addresses; the message must have exactly "
            "one From: address; fix the sending software");
  // '(' inside a quoted string, a domain literal or escaped opens no comment.
  EXPECT_EQ(domainOf("From: \"Desk (24h\" <a@example.com>\r\n"), "example.com");
  EXPECT_EQ(domainOf("From: a@example.com (a \\( b)\r\n"), "example.com");
  EXPECT_EQ(domainOf("From: \"x\" <a@example.com> (closed)\r\n"), "example.com");
}

TEST(DmarcFromHeader, OnlyTheHeaderSectionCounts) {
  // A From: line in the body is not a field; a continuation of another field is not one.
  EXPECT_EQ(domainOf("From: a@example.com\r\nX-Note: quoted\r\n From: b@example.org\r\n"),
            "example.com");
  Result<std::string> none = fromDomain("Subject: x\r\n\r\nFrom: a@example.com\r\n");
  EXPECT_FALSE(none.ok());
  EXPECT_TRUE(fromDomain("From: a@example.com").ok());  // headers only, no line end
}

}  // namespace
}  // namespace ts
