#!/usr/bin/python3
# STARTTLS (RFC 3207) and SMTP AUTH (RFC 4954) end to end: a transaction relayed inside
# TLS, plaintext pipelined after STARTTLS never answered inside it (CVE-2011-0411), AUTH
# only inside TLS, an authenticated client trusted by the checks but never an open relay,
# password guessing sent to the penalty box, and SIGHUP picking up a renewed certificate
# while a broken key keeps the old one.
import base64
import os
import re
import signal
import ssl
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import NUMBERS, IntegrationTest, make_message, rcpt, top_header  # noqa: E402
from tls_certs import make_certificate  # noqa: E402

USER = "alerts@example.org"
PASSWORD = "correct horse battery"
# EHLO with an address literal that is not the client's: the HELO check refuses it at
# RCPT (helo_action = reject) unless the client is trusted.
FOREIGN_LITERAL = "[192.0.2.7]"


def plain(user, password, authzid=""):
    return base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()


def b64(text):
    return base64.b64encode(text.encode()).decode()


def der(pem_path):
    with open(pem_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class TlsAuthTest(IntegrationTest):
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.cert, self.key, self.ca = make_certificate(os.path.join(self.workdir, "certs"))
        self.users = os.path.join(self.workdir, "users")
        with open(self.users, "w") as f:
            f.write(f"# test users\n{USER}:{harness.sha512_crypt(PASSWORD)}\n")
        self.gateway = self.start_gateway()
        self.daemon = self.start_textscreen(self.gateway.port, {
            "tls_certificate": self.cert,
            "tls_key": self.key,
            "auth_users_file": self.users,
            "trusted_networks": "none",
            "helo_action": "reject",
            "abuse_max_auth_failures": "3",
            "penalty_time": "60s",
        })

    # --- helpers -------------------------------------------------------------------------

    def start_tls(self, c, cafile=None):
        """STARTTLS on c, then the TLS handshake; returns the server certificate (DER)."""
        self.assertReply(c.cmd("STARTTLS"), 220, "2.0.0", client=c)
        self.assertEqual(c.buf, b"", "bytes after the 220 in plaintext")
        if cafile:
            ctx = ssl.create_default_context(cafile=cafile)
        else:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        c.sock = ctx.wrap_socket(c.sock, server_hostname="localhost")
        return c.sock.getpeercert(binary_form=True)

    def tls_client(self, helo="client.example"):
        """A client in TLS that has said EHLO again, as RFC 3207 asks."""
        c = self.client()
        c.ehlo(helo)
        self.start_tls(c, self.ca)
        c.ehlo(helo)
        return c

    def keywords(self, ehlo_reply):
        return [l.upper() for l in ehlo_reply.lines[1:]]

    def authenticate(self, c):
        r = c.cmd(f"AUTH PLAIN {plain(USER, PASSWORD)}")
        self.assertReply(r, 235, "2.7.0", client=c)

    # --- STARTTLS ------------------------------------------------------------------------

    def test_starttls_then_relay(self):
        c = self.client()
        before = c.ehlo()
        self.assertIn("STARTTLS", self.keywords(before))
        self.assertNotIn("AUTH PLAIN LOGIN", self.keywords(before), "AUTH offered before TLS")
        self.assertEqual(self.start_tls(c, self.ca), der(self.cert))
        self.assertIn(c.sock.version(), ("TLSv1.2", "TLSv1.3"))
        # RFC 3207: the session starts over; MAIL before a new EHLO is out of sequence.
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 503, "5.5.1", client=c)
        after = c.ehlo()
        self.assertNotIn("STARTTLS", self.keywords(after))
        self.assertIn("AUTH PLAIN LOGIN", self.keywords(after))
        self.assertReply(c.cmd("STARTTLS"), 503, "5.5.1", client=c)
        token = "tls-" + uuid.uuid4().hex
        end = self.transaction(c, recipients=[rcpt(NUMBERS[0])], message=make_message(token))
        self.assertReply(end, 250, "2.0.0", ref=True, client=c)
        self.assertReply(c.cmd("QUIT"), 221, "2.0.0", client=c)
        self.assertTrue(c.at_eof(10), "connection not closed after QUIT")
        msgs = self.gateway.wait_for_count(1)
        self.assertEqual(self.stored_tokens(), [token])
        name, value = top_header(msgs[0]["raw"])
        self.assertEqual(name.lower(), "received")
        self.assertRegex(value, r"with ESMTPS id ts-", f"Received: {value}")
        self.assertRegex(value, r"\(using TLSv1\.[23] with cipher \S+\)", f"Received: {value}")
        log = self.daemon.log()
        self.assertRegex(log, r"event=tls client=127\.0\.0\.1 result=ok version=TLSv1\.[23] "
                              r"cipher=\S+")
        self.assertRegex(log, r"event=decision action=relay .*checks=[^ ]*tls:pass")

    def test_pipelined_plaintext_after_starttls_is_discarded(self):
        c = self.client()
        c.ehlo()
        # CVE-2011-0411: a man in the middle appends a command to the plaintext STARTTLS.
        c.send(b"STARTTLS\r\nRSET\r\n")
        self.assertReply(c.reply(), 220, "2.0.0", client=c)
        ctx = ssl.create_default_context(cafile=self.ca)
        # Had the RSET been answered in plaintext, the handshake would read it as a record.
        self.assertEqual(c.buf, b"")
        c.sock = ctx.wrap_socket(c.sock, server_hostname="localhost")
        # The first reply inside TLS must be the EHLO's, not the injected RSET's 250.
        r = c.cmd("EHLO client.example")
        self.assertReply(r, 250, client=c)
        self.assertGreater(len(r.lines), 1, f"a one-line 250 answered EHLO: {r!r}")
        self.assertTrue(r.lines[0].startswith(harness.HOSTNAME), f"not the EHLO reply: {r!r}")
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)
        self.assertIn("plaintext sent after STARTTLS", self.daemon.log())

    def test_starttls_refusals(self):
        c = self.client()
        self.assertReply(c.cmd("STARTTLS"), 503, "5.5.1", client=c)  # before EHLO
        c.ehlo()
        self.assertReply(c.cmd("STARTTLS now"), 501, "5.5.4", client=c)
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", client=c)
        self.assertReply(c.cmd("STARTTLS"), 503, "5.5.1", client=c)
        # A failed handshake is logged and the connection closed.
        c2 = self.client()
        c2.ehlo()
        self.assertReply(c2.cmd("STARTTLS"), 220, "2.0.0", client=c2)
        c2.send(b"this is not a TLS ClientHello\r\n")
        self.assertTrue(c2.at_eof(20 * harness.SLOW), "connection open after a failed handshake")
        harness.poll(lambda: re.search(r"event=tls client=127\.0\.0\.1 result=failed",
                                       self.daemon.log()),
                     10 * harness.SLOW, what="the failed handshake in the log")

    # --- AUTH ----------------------------------------------------------------------------

    def test_auth_refused_before_tls(self):
        c = self.client()
        c.ehlo()
        r = c.cmd(f"AUTH PLAIN {plain(USER, PASSWORD)}")
        self.assertReply(r, 530, "5.7.0", client=c)
        self.assertIn("STARTTLS", r.text)

    def test_auth_plain_and_wrong_password(self):
        c = self.tls_client()
        self.assertReply(c.cmd(f"AUTH PLAIN {plain(USER, 'wrong')}"), 535, "5.7.8", client=c)
        self.assertReply(c.cmd(f"AUTH PLAIN {plain('nobody@example.org', PASSWORD)}"), 535,
                         "5.7.8", client=c)
        # PLAIN without an initial response: an empty 334 challenge, then the response.
        r = c.cmd("AUTH PLAIN")
        self.assertEqual(r.code, 334, f"{r!r}")
        self.assertReply(c.cmd(plain(USER, PASSWORD)), 235, "2.7.0", client=c)
        self.assertReply(c.cmd(f"AUTH PLAIN {plain(USER, PASSWORD)}"), 503, "5.5.1", client=c)
        log = self.daemon.log()
        self.assertIn(f"event=auth client=127.0.0.1 mechanism=PLAIN user={USER} result=fail",
                      log)
        self.assertIn(f"event=auth client=127.0.0.1 mechanism=PLAIN user={USER} result=ok", log)

    def test_auth_login_and_malformed_responses(self):
        c = self.tls_client()
        self.assertReply(c.cmd("AUTH CRAM-MD5"), 504, "5.5.4", client=c)
        r = c.cmd("AUTH PLAIN")
        self.assertEqual(r.code, 334, f"{r!r}")
        self.assertReply(c.cmd("*"), 501, "5.0.0", client=c)
        self.assertReply(c.cmd("AUTH PLAIN not-base64!"), 501, "5.5.2", client=c)
        r = c.cmd("AUTH LOGIN")
        self.assertEqual((r.code, r.lines), (334, ["VXNlcm5hbWU6"]), f"{r!r}")
        r = c.cmd(b64(USER))
        self.assertEqual((r.code, r.lines), (334, ["UGFzc3dvcmQ6"]), f"{r!r}")
        self.assertReply(c.cmd(b64(PASSWORD)), 235, "2.7.0", client=c)
        self.assertIn(f"mechanism=LOGIN user={USER} result=ok", self.daemon.log())

    def test_authenticated_client_skips_checks_but_is_no_open_relay(self):
        # Unauthenticated, the foreign HELO literal is refused at RCPT.
        c = self.tls_client(helo=FOREIGN_LITERAL)
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 550, "5.7.1", ref=True,
                         client=c)
        self.assertReply(c.cmd("AUTH PLAIN " + plain(USER, PASSWORD)), 503, "5.5.1", client=c)
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        self.authenticate(c)
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org> AUTH=<>"), 250, "2.1.0",
                         client=c)
        self.assertReply(c.cmd("RCPT TO:<15551234567@other.example>"), 550, "5.7.1", ref=True,
                         client=c, msg="an authenticated client relayed to a foreign domain")
        token = "auth-" + uuid.uuid4().hex
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        self.assertReply(c.send_message(make_message(token)), 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.wait_for_count(1)
        self.assertEqual(self.stored_tokens(), [token])
        self.assertEqual(msgs[0]["rcpt_tos"], [rcpt(NUMBERS[0])])
        _, value = top_header(msgs[0]["raw"])
        self.assertRegex(value, r"with ESMTPSA id ts-", f"Received: {value}")
        self.assertRegex(self.daemon.log(),
                         rf"event=decision action=relay .*trusted=yes auth={re.escape(USER)} ")

    def test_password_guessing_gets_the_penalty_box(self):
        replies = []
        c = self.tls_client()
        for i in range(4):
            replies.append(c.cmd(f"AUTH PLAIN {plain(USER, f'guess{i}')}"))
        self.assertEqual([r.code for r in replies[:3]], [535, 535, 535], f"{replies!r}")
        # The fourth failure crosses abuse_max_auth_failures = 3: 535, then 421 and close.
        self.assertReply(replies[3], 535, "5.7.8", client=c)
        r = c.reply()
        self.assertReply(r, 421, "4.7.0", client=c)
        self.assertIn("failed AUTH attempts", r.text)
        self.assertTrue(c.at_eof(10), "connection open after the 421")
        again = self.client(banner=False)
        self.assertReply(again.banner(), 421, "4.7.0", client=again)

    # --- reload --------------------------------------------------------------------------

    def reload(self, expect):
        before = self.daemon.log().count(expect)
        self.daemon.signal(signal.SIGHUP)
        harness.poll(lambda: self.daemon.log().count(expect) > before, 20 * harness.SLOW,
                     what=f"'{expect}' in the log after SIGHUP")

    def served_certificate(self):
        c = self.client()
        c.ehlo()
        cert = self.start_tls(c)
        self.assertReply(c.cmd("QUIT"), 221, "2.0.0", client=c)
        return cert

    def test_sighup_picks_up_a_new_certificate_and_keeps_it_on_a_broken_key(self):
        self.assertEqual(self.served_certificate(), der(self.cert))
        # A connection in TLS before the reload keeps working across it.
        old = self.tls_client()
        new_cert, new_key, new_ca = make_certificate(os.path.join(self.workdir, "renewed"))
        self.assertNotEqual(der(new_cert), der(self.cert))
        self.daemon.values.update({"tls_certificate": new_cert, "tls_key": new_key})
        self.daemon.write_config()
        self.reload("event=reload result=ok")
        self.assertEqual(self.served_certificate(), der(new_cert))
        c = self.client()
        c.ehlo()
        self.start_tls(c, new_ca)  # verifies against the new CA
        c.ehlo()
        self.assertReply(old.cmd("NOOP"), 250, "2.0.0", client=old)

        broken = os.path.join(self.workdir, "broken.key")
        with open(broken, "w") as f:
            f.write("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
        self.daemon.values["tls_key"] = broken
        self.daemon.write_config()
        self.reload("result=\"kept previous configuration\"")
        self.assertIn(f"tls_key {broken}", self.daemon.log())
        self.assertEqual(self.served_certificate(), der(new_cert))
        self.assertIsNone(self.daemon.proc.poll(), "daemon exited on a broken key")

    def test_broken_certificate_at_start_is_a_configuration_error(self):
        broken = os.path.join(self.workdir, "broken.pem")
        with open(broken, "w") as f:
            f.write("not a certificate\n")
        rc, out = self.daemon.run_cli("--config", self.daemon.config_path,
                                      f"--tls_certificate={broken}", "--check-config")
        self.assertEqual(rc, 2, out)
        self.assertIn(f"tls_certificate {broken}", out)
        rc, out = self.daemon.run_cli("--config", self.daemon.config_path, "--check-config")
        self.assertEqual(rc, 0, out)


if __name__ == "__main__":
    harness.main()
