#!/usr/bin/python3
# The happy path end to end: a message accepted by textscreen arrives at the gateway
# exactly once, with the envelope intact and textscreen's Received: header on top, and a
# client hears 250 only for what the gateway took (DESIGN.md invariant 2).
import os
import re
import shutil
import smtplib
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (GATEWAY_DOMAIN, HOSTNAME, NUMBERS, POSTMASTER, IntegrationTest,  # noqa: E402
                     make_message, rcpt, top_header)


class RelayTest(IntegrationTest):
    gateway_options = {"reject_rcpt": [NUMBERS[2]]}

    def test_banner_and_ehlo(self):
        c = self.client(banner=False)
        b = c.banner()
        self.assertReply(b, 220, client=c)
        self.assertRegex(b.lines[0], rf"^{re.escape(HOSTNAME)} ESMTP textscreen")
        r = c.ehlo()
        keywords = [l.split()[0].upper() for l in r.lines[1:] if l.split()]
        for k in ("PIPELINING", "SIZE", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8"):
            self.assertIn(k, keywords, f"EHLO reply lacks {k}: {r!r}")
        size = [l for l in r.lines if l.upper().startswith("SIZE")]
        self.assertEqual(size[0].split(), ["SIZE", str(64 * 1024)], f"EHLO SIZE: {r!r}")
        self.assertTrue(r.lines[0].startswith(HOSTNAME), f"EHLO first line: {r!r}")
        # HELO works too and leads to a usable session.
        c2 = self.client()
        r = c2.cmd("HELO client.example")
        self.assertReply(r, 250, client=c2)
        self.assertReply(c2.cmd("MAIL FROM:<a@example.org>"), 250, "2.1.0", ref=True, client=c2)

    def test_pipelined_transaction(self):
        token = "pipe-" + uuid.uuid4().hex
        to1, to2 = rcpt(NUMBERS[0]), rcpt(NUMBERS[1])
        msg = make_message(token, to=to1)
        c = self.client()
        c.ehlo()
        c.send(f"MAIL FROM:<sender@example.org>\r\nRCPT TO:<{to1}>\r\n"
               f"RCPT TO:<{to2}>\r\nDATA\r\n")
        mail, r1, r2, data = c.reply(), c.reply(), c.reply(), c.reply()
        self.assertReply(mail, 250, "2.1.0", ref=True, client=c)
        self.assertReply(r1, 250, "2.1.5", ref=True, client=c)
        self.assertReply(r2, 250, "2.1.5", ref=True, client=c)
        self.assertReply(data, 354, client=c)
        # The body and the QUIT in one write too: the end-of-data reply then 221.
        c.send(msg + b".\r\nQUIT\r\n")
        end, quit_ = c.reply(), c.reply()
        self.assertReply(end, 250, "2.0.0", ref=True, client=c)
        self.assertReply(quit_, 221, "2.0.0", client=c)
        self.assertTrue(c.at_eof(10), "connection not closed after QUIT")
        # One id per transaction.
        self.assertEqual({mail.ref, r1.ref, r2.ref, end.ref}, {mail.ref},
                         "replies of one transaction carry different reference ids")

        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), 1, f"gateway stored {len(msgs)} messages")
        m = msgs[0]
        self.assertEqual(m["mail_from"], "sender@example.org")
        self.assertEqual(sorted(m["rcpt_tos"]), sorted([to1, to2]))
        self.assertTrue(m["raw"].endswith(msg), "message body changed on the way:\n"
                        f"sent {msg!r}\nstored {m['raw']!r}")
        name, value = top_header(m["raw"])
        self.assertEqual(name.lower(), "received", f"top header is {name}: {m['raw'][:300]!r}")
        self.assertIn(HOSTNAME, value, f"Received: header does not name {HOSTNAME}: {value}")
        # The Received: header is the only thing prepended.
        prefix = m["raw"][:-len(msg)]
        self.assertTrue(prefix.endswith(b"\r\n"), f"prefix {prefix!r}")
        lines = prefix[:-2].split(b"\r\n")
        self.assertTrue(lines[0].startswith(b"Received:"), f"prefix {prefix!r}")
        self.assertTrue(all(l[:1] in (b" ", b"\t") for l in lines[1:]),
                        f"more than one Received: header was prepended: {prefix!r}")

    def test_smtplib_and_dot_transparency(self):
        token = "lib-" + uuid.uuid4().hex
        body = ".leading dot\r\n..two dots\r\n.\r\nnot the end\r\n. \r\nend"
        msg = make_message(token, body=body)
        with smtplib.SMTP("127.0.0.1", self.daemon.port, timeout=harness.IO_TIMEOUT) as s:
            s.ehlo("client.example")
            refused = s.sendmail("sender@example.org", [rcpt(NUMBERS[0])], msg)
            self.assertEqual(refused, {})
            # A second message on the same connection.
            token2 = "lib2-" + uuid.uuid4().hex
            s.sendmail("other@example.org", [rcpt(NUMBERS[3])], make_message(token2))
        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), 2, f"gateway stored {len(msgs)}")
        self.assertTrue(msgs[0]["raw"].endswith(msg),
                        f"dot-stuffed lines were mangled: {msgs[0]['raw']!r}")
        self.assertEqual(msgs[1]["mail_from"], "other@example.org")
        self.assertEqual(msgs[1]["rcpt_tos"], [rcpt(NUMBERS[3])])
        self.assertEqual(sorted(self.stored_tokens()), sorted([token, token2]))

    def test_pipelined_transactions_back_to_back(self):
        # The next transaction arrives right behind the end-of-data dot, while the daemon
        # still waits for the gateway's reply to the first message.
        t1, t2 = "b2b1-" + uuid.uuid4().hex, "b2b2-" + uuid.uuid4().hex
        to1, to2 = rcpt(NUMBERS[0]), rcpt(NUMBERS[1])
        c = self.client()
        c.ehlo()
        c.send(f"MAIL FROM:<one@example.org>\r\nRCPT TO:<{to1}>\r\nDATA\r\n")
        self.assertReply(c.reply(), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.reply(), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.reply(), 354, client=c)
        c.send(make_message(t1, to=to1) + b".\r\n" +
               f"MAIL FROM:<two@example.org>\r\nRCPT TO:<{to2}>\r\nDATA\r\n".encode())
        end1 = c.reply()
        self.assertReply(end1, 250, "2.0.0", ref=True, client=c)
        mail2 = c.reply()
        self.assertReply(mail2, 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.reply(), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.reply(), 354, client=c)
        self.assertReply(c.send_message(make_message(t2, to=to2)), 250, "2.0.0", ref=True, client=c)
        self.assertNotEqual(end1.ref, mail2.ref, "two transactions share a reference id")
        msgs = self.gateway.messages()
        self.assertEqual([(m["mail_from"], m["rcpt_tos"]) for m in msgs],
                         [("one@example.org", [to1]), ("two@example.org", [to2])])
        self.assertEqual(self.stored_tokens(), [t1, t2])

    def test_rset_and_refusals_do_not_leak_into_next_transaction(self):
        to1, to2, to3 = rcpt(NUMBERS[0]), rcpt(NUMBERS[1]), rcpt(NUMBERS[3])
        c = self.client()
        c.ehlo()
        # Recipient given, then RSET: the upstream transaction must be reset too.
        self.assertReply(c.cmd("MAIL FROM:<first@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{to1}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        # A message refused at end of data (bare LF): its recipient must not linger.
        self.assertReply(c.cmd("MAIL FROM:<second@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{to2}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        c.send(b"Subject: bad\r\n\r\nbare\nLF\r\n.\r\n")
        self.assertReply(c.reply(), 554, "5.5.2", ref=True, client=c)
        token = "clean-" + uuid.uuid4().hex
        r = self.transaction(c, sender="third@example.org", recipients=[to3],
                             message=make_message(token, to=to3))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.messages()
        self.assertEqual([(m["mail_from"], m["rcpt_tos"]) for m in msgs],
                         [("third@example.org", [to3])])

    def test_gateway_rejects_one_recipient(self):
        token = "partial-" + uuid.uuid4().hex
        good, bad = rcpt(NUMBERS[0]), rcpt(NUMBERS[2])  # NUMBERS[2] is refused by the gateway
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{good}>"), 250, "2.1.5", ref=True, client=c)
        r = c.cmd(f"RCPT TO:<{bad}>")
        self.assertReply(r, 550, "5.1.1", ref=True, client=c,
                         msg="(the gateway's own refusal must reach the client)")
        self.assertReply(c.cmd("DATA"), 354, client=c)
        self.assertReply(c.send_message(make_message(token)), 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["rcpt_tos"], [good])
        self.assertEqual(self.stored_tokens(), [token])

    def test_gateway_rejects_all_recipients(self):
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[2])}>"), 550, "5.1.1", ref=True, client=c)
        r = c.cmd("DATA")
        self.assertReply(r, 554, "5.5.1", client=c, msg="(DATA with no accepted recipient)")
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        self.assertEqual(self.gateway.count(), 0)

    def test_postmaster_and_abuse_go_to_postmaster_address(self):
        c = self.client()
        c.ehlo()
        cases = [f"postmaster@{GATEWAY_DOMAIN}", f"Abuse@{GATEWAY_DOMAIN}", "postmaster",
                 f"POSTMASTER@{GATEWAY_DOMAIN.upper()}"]
        tokens = []
        for to in cases:
            token = "pm-" + uuid.uuid4().hex
            tokens.append(token)
            r = self.transaction(c, recipients=[to], message=make_message(token, to=to))
            self.assertReply(r, 250, "2.0.0", ref=True, client=c, msg=f"for {to}")
        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), len(cases))
        for m in msgs:
            self.assertEqual(m["rcpt_tos"], [POSTMASTER],
                             "mail to postmaster@/abuse@ was not redirected to postmaster_address")
        self.assertEqual(self.stored_tokens(), tokens)

    def test_null_sender(self):
        token = "bounce-" + uuid.uuid4().hex
        c = self.client()
        c.ehlo()
        r = c.cmd("MAIL FROM:<>")
        self.assertReply(r, 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        self.assertReply(c.send_message(make_message(token)), 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), 1)
        self.assertIn(msgs[0]["mail_from"], ("", "<>"))

    def test_transactions_get_distinct_reference_ids(self):
        c = self.client()
        c.ehlo()
        refs = []
        for i in range(3):
            r = c.cmd("MAIL FROM:<sender@example.org>")
            self.assertReply(r, 250, "2.1.0", ref=True, client=c)
            refs.append(r.ref)
            self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        self.assertEqual(len(set(refs)), 3, f"reference ids repeat across transactions: {refs}")

    def test_swaks(self):
        swaks = shutil.which("swaks")
        if not swaks:
            self.skipTest("swaks is not installed")
        token = "swaks-" + uuid.uuid4().hex
        p = subprocess.run(
            [swaks, "--server", f"127.0.0.1:{self.daemon.port}", "--to", rcpt(NUMBERS[0]),
             "--from", "sender@example.org", "--helo", "client.example",
             "--header", f"Message-Id: <{token}@client.example>", "--timeout", "60"],
            capture_output=True, timeout=120)
        out = (p.stdout + p.stderr).decode(errors="replace")
        self.assertEqual(p.returncode, 0, f"swaks failed:\n{out}")
        self.assertRegex(out, r"(?m)^<[-~]\s+250 2\.0\.0 \[ts-[0-9a-z]{13}\]", f"swaks output:\n{out}")
        self.assertEqual(self.stored_tokens(), [token])


if __name__ == "__main__":
    harness.main()
