#!/usr/bin/python3
# The SMTP dialogue itself: command order, syntax, limits, timeouts, and SMTP smuggling
# (bare LF / bare CR around the end-of-data dot, CVE-2023-51764 and friends). Whatever a
# client sends, the daemon answers each command once, with the documented code, and
# never lets anything it refused reach the gateway.
import os
import socket
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import GATEWAY_DOMAIN, NUMBERS, IntegrationTest, make_message, rcpt  # noqa: E402

TO = rcpt(NUMBERS[0])
SMUGGLED = (b"MAIL FROM:<evil@attacker.example>\r\n" +
            f"RCPT TO:<{rcpt(NUMBERS[1])}>\r\n".encode() +
            b"DATA\r\n"
            b"From: <ceo@bank.example>\r\nSubject: smuggled\r\n\r\nsmuggled message\r\n")
HEAD = b"From: <sender@example.org>\r\nSubject: innocent\r\n\r\nhello"
# Each payload is the whole DATA body, ending with the real CRLF.CRLF.
SMUGGLING_PAYLOADS = {
    "LF.LF": HEAD + b"\n.\n" + SMUGGLED + b".\r\n",
    "CR.CR": HEAD + b"\r.\r" + SMUGGLED + b".\r\n",
    "LF.CRLF": HEAD + b"\n.\r\n" + SMUGGLED + b".\r\n",
    "CRLF.LF": HEAD + b"\r\n.\n" + SMUGGLED + b".\r\n",
    "CR.CRLF": HEAD + b"\r.\r\n" + SMUGGLED + b".\r\n",
    "CRLF.CR": HEAD + b"\r\n.\r" + SMUGGLED + b".\r\n",
    "bare LF in header": b"From: <sender@example.org>\nBcc: smuggled@example.org\r\n\r\nx\r\n.\r\n",
    "bare CR in body": b"Subject: x\r\n\r\nsmuggled\rtext\r\n.\r\n",
    "bare LF ending the last line": HEAD + b"\r\nsmuggled last line\n\r\n.\r\n",
}


class ProtocolTest(IntegrationTest):

    def session(self, ehlo=True):
        c = self.client()
        if ehlo:
            c.ehlo()
        return c

    def test_commands_out_of_order(self):
        c = self.session(ehlo=False)
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 503, "5.5.1", client=c,
                         msg="(MAIL before EHLO/HELO)")
        c.ehlo()
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 503, "5.5.1", client=c, msg="(RCPT before MAIL)")
        self.assertReply(c.cmd("DATA"), 503, "5.5.1", client=c, msg="(DATA before MAIL)")
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd("MAIL FROM:<other@example.org>"), 503, "5.5.1", client=c,
                         msg="(second MAIL without RSET)")
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        self.assertReply(c.cmd("MAIL FROM:<other@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("MAIL FROM:<other@example.org>"), 503, "5.5.1", client=c,
                         msg="(MAIL after RCPT without RSET)")
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        self.assertEqual(self.gateway.count(), 0)

    def test_data_before_rcpt(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 503, "5.5.1", client=c, msg="(DATA before any RCPT)")

    def test_data_with_argument(self):
        # RFC 5321 4.1.1.4: "DATA" CRLF takes no argument. A server that answers 354 to
        # "DATA junk" reads the client's next commands as message text.
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
        r = c.cmd("DATA junk")
        self.assertReply(r, 501, "5.5.4", client=c, msg="(DATA with an argument)")
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)

    def test_data_with_no_accepted_recipient(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<other@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<123@{GATEWAY_DOMAIN}>"), 550, "5.1.1", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 554, "5.5.1", client=c,
                         msg="(DATA when no recipient was accepted)")
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)

    def test_ehlo_resets_transaction(self):
        # EHLO in the middle of a transaction resets it (RFC 5321 4.1.4).
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<other@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
        c.ehlo()
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 503, "5.5.1", client=c,
                         msg="(RCPT after EHLO reset the transaction)")
        self.assertReply(c.cmd("DATA"), 503, "5.5.1", client=c,
                         msg="(DATA after EHLO reset the transaction)")
        token = "after-ehlo-" + uuid.uuid4().hex
        r = self.transaction(c, recipients=[TO], message=make_message(token))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual(self.stored_tokens(), [token])

    def test_simple_commands(self):
        c = self.session()
        self.assertReply(c.cmd(f"VRFY {TO}"), 252, "2.5.0", client=c)
        self.assertReply(c.cmd("EXPN staff"), 502, "5.5.1", client=c)
        r = c.cmd("HELP")
        self.assertEqual(r.code, 214, f"HELP: {r!r}")
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)
        self.assertReply(c.cmd("NOOP with an argument"), 250, "2.0.0", client=c)
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        self.assertReply(c.cmd("noop"), 250, "2.0.0", client=c, msg="(verbs are case-insensitive)")
        self.assertReply(c.cmd("QUIT"), 221, "2.0.0", client=c)
        self.assertTrue(c.at_eof(10), "connection still open after QUIT")

    def test_unknown_command(self):
        c = self.session()
        self.assertReply(c.cmd("FROBNICATE now"), 500, "5.5.2", client=c)
        self.assertReply(c.cmd(""), 500, "5.5.2", client=c, msg="(empty line)")
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)

    def test_line_too_long(self):
        c = self.session()
        self.assertReply(c.cmd("NOOP " + "x" * 3000), 500, "5.5.2", client=c,
                         msg="(line longer than max_line_length=2048)")
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)
        # A very long line arriving in pieces, then two pipelined commands.
        for _ in range(8):
            c.send(b"y" * 65536)
        c.send(b"\r\nNOOP\r\nRSET\r\n")
        self.assertReply(c.reply(), 500, "5.5.2", client=c, msg="(512 KiB line)")
        self.assertReply(c.reply(), 250, "2.0.0", client=c)
        self.assertReply(c.reply(), 250, "2.0.0", client=c)
        # A long address in MAIL: refused, the session goes on.
        self.assertReply(c.cmd("MAIL FROM:<" + "a" * 3000 + "@example.org>"), 500, "5.5.2",
                         client=c)
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        # A line just under the limit is still a command.
        line = "NOOP " + "z" * (2048 - 5 - 2 - 10)
        self.assertReply(c.cmd(line), 250, "2.0.0", client=c, msg="(line under max_line_length)")

    def test_nul_byte_in_command(self):
        c = self.session()
        self.assertReply(c.cmd(b"NOOP\x00"), 500, client=c, msg="(NUL in a command)")
        r = c.cmd(b"MAIL FROM:<sen\x00der@example.org>")
        self.assertReply(r, 500, client=c, msg="(NUL in MAIL FROM)")
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        r = c.cmd(f"RCPT TO:<{NUMBERS[0]}\x00@{GATEWAY_DOMAIN}>".encode())
        self.assertReply(r, 500, client=c, msg="(NUL in RCPT TO)")
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)

    def test_mail_rcpt_syntax(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL"), 501, "5.5.4", client=c)
        self.assertReply(c.cmd("MAIL FROM sender@example.org"), 501, "5.5.4", client=c)
        self.assertReply(c.cmd("MAIL TO:<sender@example.org>"), 501, "5.5.4", client=c)
        self.assertReply(c.cmd("MAIL FROM:<sender@@example.org>"), 501, "5.1.7", client=c)
        self.assertReply(c.cmd("MAIL FROM:<send er@example.org>"), 501, "5.1.7", client=c)
        self.assertReply(c.cmd("MAIL FROM:<sender@exa_mple.org>"), 501, "5.1.7", client=c)
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org> FOO=BAR"), 555, "5.5.4", client=c)
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org> BODY=8BITMIME SIZE=100"), 250,
                         "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd("RCPT"), 501, "5.5.4", client=c)
        self.assertReply(c.cmd(f"RCPT {TO}"), 501, "5.5.4", client=c)
        self.assertReply(c.cmd(f"RCPT TO:<1415 5551212@{GATEWAY_DOMAIN}>"), 501, "5.1.3", client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}> NOTIFY=NEVER"), 555, "5.5.4", client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)

    def test_utf8_addresses(self):
        c = self.session()
        # Non-ASCII without SMTPUTF8.
        r = c.cmd("MAIL FROM:<jöe@example.org>".encode())
        self.assertReply(r, 553, "5.6.7", client=c, msg="(non-ASCII sender without SMTPUTF8)")
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        r = c.cmd(f"RCPT TO:<{NUMBERS[0]}@smś.example.net>".encode())
        self.assertReply(r, 553, "5.6.7", client=c, msg="(non-ASCII recipient without SMTPUTF8)")
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        # Invalid UTF-8 with SMTPUTF8.
        r = c.cmd(b"MAIL FROM:<\xff\xfe@example.org> SMTPUTF8")
        self.assertEqual(r.code, 501, f"invalid UTF-8 sender: {r!r}{c.dump()}")
        r = c.cmd(b"MAIL FROM:<j\xc3\x28e@example.org> SMTPUTF8")
        self.assertEqual(r.code, 501, f"invalid UTF-8 sender: {r!r}{c.dump()}")
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org> SMTPUTF8"), 250, "2.1.0",
                         ref=True, client=c)
        r = c.cmd(b"RCPT TO:<\xc3\x28@" + GATEWAY_DOMAIN.encode() + b">")
        self.assertEqual(r.code, 501, f"invalid UTF-8 recipient: {r!r}{c.dump()}")
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        # A valid UTF-8 sender with SMTPUTF8 is relayed, with SMTPUTF8 (RFC 6531 3.4).
        token = "utf8-" + uuid.uuid4().hex
        self.assertReply(c.cmd("MAIL FROM:<jöe@exämple.org> SMTPUTF8".encode()), 250, "2.1.0",
                         ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        msg = make_message(token, subject="héllo wörld")
        self.assertReply(c.send_message(msg), 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["mail_from"], "jöe@exämple.org")
        self.assertTrue(msgs[0]["smtp_utf8"], "SMTPUTF8 was not passed on to the gateway")
        self.assertTrue(msgs[0]["raw"].endswith(msg), "8-bit message changed on the way")

    def test_smuggling(self):
        for name, payload in SMUGGLING_PAYLOADS.items():
            with self.subTest(variant=name):
                c = self.session()
                self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True,
                                 client=c)
                self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
                self.assertReply(c.cmd("DATA"), 354, client=c)
                c.send(payload)
                r = c.reply()
                self.assertReply(r, 554, "5.5.2", ref=True, client=c, msg=f"(payload {payload!r})")
                # The next reply must answer our next command: no smuggled command ran.
                r = c.cmd("HELP")
                self.assertEqual(r.code, 214, f"reply to HELP after {name} was {r!r}; "
                                 f"the smuggled commands were executed?{c.dump()}")
                self.assertReply(c.cmd("QUIT"), 221, "2.0.0", client=c)
        # A clean message afterwards goes through; it is the only thing stored.
        token = "barrier-" + uuid.uuid4().hex
        c = self.session()
        self.assertReply(self.transaction(c, recipients=[TO], message=make_message(token)),
                         250, "2.0.0", ref=True, client=c)
        self.assertEqual(self.stored_tokens(), [token])
        for m in self.gateway.messages():
            self.assertNotIn(b"smuggled", m["raw"])
            self.assertEqual(m["mail_from"], "sender@example.org")

    def test_truncated_data(self):
        # Clients that go away mid-DATA (with and without a partial final dot).
        for tail in (b"Subject: cut\r\n\r\npartial", b"Subject: cut\r\n\r\npartial\r\n.",
                     b"Subject: cut\r\n\r\npartial\r\n.\r"):
            c = self.session()
            self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True,
                             client=c)
            self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
            self.assertReply(c.cmd("DATA"), 354, client=c)
            c.send(tail)
            c.sock.shutdown(socket.SHUT_WR)
            self.assertTrue(c.at_eof(30 * harness.SLOW), "daemon kept a half-closed session")
            c.close()
        # Also a client vanishing between RCPT and DATA (an upstream transaction is open).
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
        c.close()
        # The next client's message goes through with its own envelope only: nothing of
        # the abandoned transactions (e.g. on a pooled gateway connection) leaks into it.
        token = "after-" + uuid.uuid4().hex
        other = rcpt(NUMBERS[3])
        c = self.session()
        self.assertReply(self.transaction(c, sender="next@example.org", recipients=[other],
                                          message=make_message(token, to=other)),
                         250, "2.0.0", ref=True, client=c)
        self.assertEqual(self.stored_tokens(), [token], "a truncated message was relayed")
        m = self.gateway.messages()[0]
        self.assertEqual((m["mail_from"], m["rcpt_tos"]), ("next@example.org", [other]))


class SizeLimitTest(IntegrationTest):
    daemon_config = {"max_message_size": "2k"}

    def test_ehlo_announces_size(self):
        c = self.client()
        r = c.ehlo()
        self.assertIn("SIZE 2048", [l.upper() for l in r.lines], f"EHLO: {r!r}")

    def test_size_parameter_too_large(self):
        c = self.client()
        c.ehlo()
        r = c.cmd("MAIL FROM:<sender@example.org> SIZE=5000")
        self.assertReply(r, 552, "5.3.4", client=c)
        r = c.cmd("MAIL FROM:<sender@example.org> SIZE=99999999999999999999999")
        self.assertIn(r.code, (501, 552), f"huge SIZE: {r!r}")
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org> SIZE=1000"), 250, "2.1.0", ref=True,
                         client=c)

    def test_message_too_large(self):
        c = self.client()
        c.ehlo()
        big = make_message("big", body="\r\n".join(["x" * 70] * 72))  # ~5 KiB
        r = self.transaction(c, recipients=[TO], message=big)
        self.assertReply(r, 552, "5.3.4", ref=True, client=c)
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)
        # A message under the limit still goes through on the same session.
        token = "small-" + uuid.uuid4().hex
        r = self.transaction(c, recipients=[TO], message=make_message(token))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual(self.stored_tokens(), [token])

    def test_message_too_large_despite_small_size(self):
        # SIZE is a promise the client may break: the body is measured anyway.
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org> SIZE=100"), 250, "2.1.0", ref=True,
                         client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r = c.send_message(make_message("liar", body="\r\n".join(["z" * 70] * 70)))
        self.assertReply(r, 552, "5.3.4", ref=True, client=c)
        self.assertEqual(self.gateway.count(), 0)


class ErrorLimitTest(IntegrationTest):
    daemon_config = {"max_errors": "3"}

    def test_too_many_errors(self):
        c = self.client()
        c.ehlo()
        replies = []
        for _ in range(6):
            try:
                r = c.cmd("BOGUS")
            except (harness.SmtpError, OSError):
                break
            replies.append(r)
            if r.code == 421:
                break
        codes = [r.code for r in replies]
        self.assertIn(421, codes, f"no 421 after {len(codes)} errors with max_errors=3: {replies}")
        last = replies[-1]
        self.assertReply(last, 421, "4.7.0", client=c)
        self.assertIn(codes.count(500), (2, 3), f"errors before 421: {replies}")
        self.assertTrue(c.at_eof(10), "connection still open after 421")


class TimeoutTest(IntegrationTest):
    # The network checks' deadlines must stay below command_timeout.
    daemon_config = {"command_timeout": "1s", "data_timeout": "1s", "rdns_timeout": "500ms",
                     "helo_timeout": "500ms", "dnsbl_timeout": "500ms",
                     "sender_domain_timeout": "500ms", "spf_timeout": "500ms",
                     "dkim_timeout": "500ms", "dmarc_timeout": "500ms"}

    def test_idle_timeout(self):
        c = self.client()
        c.ehlo()
        start = time.monotonic()
        r = c.reply()
        took = time.monotonic() - start
        self.assertReply(r, 421, "4.4.2", client=c)
        self.assertGreater(took, 0.5, "timed out long before command_timeout=1s")
        self.assertLess(took, 15 * harness.SLOW)
        self.assertTrue(c.at_eof(10), "connection still open after 421")

    def test_data_timeout(self):
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{TO}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        c.send(b"Subject: slow\r\n\r\nstarted but never finished\r\n")
        start = time.monotonic()
        r = c.reply()
        self.assertReply(r, 421, "4.4.2", client=c)
        self.assertLess(time.monotonic() - start, 15 * harness.SLOW)
        self.assertTrue(c.at_eof(10), "connection still open after 421")
        self.assertEqual(self.gateway.count(), 0)


if __name__ == "__main__":
    harness.main()
