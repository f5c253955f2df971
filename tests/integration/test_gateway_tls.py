#!/usr/bin/python3
# STARTTLS from textscreen to the gateway (gateway_tls): opportunistic with may, required
# with encrypt and verify. A gateway that cannot give the TLS the configuration asks for
# defers the mail with the "gateway unreachable" 451 4.4.1 (never a 5xx, DESIGN.md
# invariant 3), stores nothing, and the log says why.
import os
import signal
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import NUMBERS, IntegrationTest, make_message, poll, rcpt  # noqa: E402
from tls_certs import make_certificate  # noqa: E402

FAST_TIMEOUTS = {"gateway_reply_timeout": "2s", "gateway_connect_timeout": "2s"}


def read_count(path):
    with open(path) as f:
        return int(f.read())


class GatewayTlsTest(IntegrationTest):
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.cert, self.key, self.ca = make_certificate(os.path.join(self.workdir, "certs"))

    def start_pair(self, config, tls=True, **gateway_options):
        gw = self.start_gateway(tls=(self.cert, self.key) if tls else None, **gateway_options)
        d = self.start_textscreen(gw.port, dict(FAST_TIMEOUTS, **config))
        return gw, d

    def relay_one(self, daemon):
        """One message through a new client connection; returns its token."""
        c = self.client(daemon=daemon)
        c.ehlo()
        token = "tls-" + uuid.uuid4().hex
        r = self.transaction(c, recipients=[rcpt(NUMBERS[0])], message=make_message(token))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertReply(c.cmd("QUIT"), 221, client=c)
        return token

    def assert_deferred(self, gateway, daemon, log_says):
        c = self.client(daemon=daemon)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        r = c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>")
        self.assertReply(r, 451, "4.4.1", ref=True, client=c)
        self.assertIn("unreachable", r.text)
        r = c.cmd("DATA")
        self.assertClass(r, 5, client=c)  # no recipient was accepted
        self.assertEqual(gateway.count(), 0)
        poll(lambda: log_says in daemon.log(), harness.IO_TIMEOUT,
             what=f"'{log_says}' in the textscreen log")
        self.assertIn("event=gateway_tls", daemon.log())

    def stored(self, gateway, token):
        for m in gateway.wait_for_count(1):
            if token.encode() in m["raw"]:
                return m
        self.fail(f"message {token} not stored: {gateway.messages()}")

    def test_may_uses_tls_when_offered(self):
        gw, d = self.start_pair({"gateway_tls": "may"})
        token = self.relay_one(d)
        m = self.stored(gw, token)
        self.assertTrue(m["tls"], m)
        self.assertIn(m["tls_version"], ("TLSv1.2", "TLSv1.3"))
        log = d.log()
        self.assertIn("result=established", log)
        # may checks nothing, and says so: no CA file was given.
        self.assertIn("verified=\"no", log)

    def test_may_relays_in_plaintext_to_a_gateway_without_tls(self):
        gw, d = self.start_pair({"gateway_tls": "may"}, tls=False)
        token = self.relay_one(d)
        self.assertFalse(self.stored(gw, token)["tls"])

    def test_none_never_starts_tls(self):
        gw, d = self.start_pair({"gateway_tls": "none"})
        token = self.relay_one(d)
        self.assertFalse(self.stored(gw, token)["tls"])
        self.assertNotIn("event=gateway_tls", d.log())

    def test_may_retries_in_plaintext_after_a_failed_handshake(self):
        # The gateway answers 220 to STARTTLS and then never starts TLS: the handshake
        # times out, and one new connection without STARTTLS carries the message.
        gw, d = self.start_pair({"gateway_tls": "may"}, hang="starttls")
        token = self.relay_one(d)
        self.assertFalse(self.stored(gw, token)["tls"])
        self.assertIn("result=\"retrying in plaintext\"", d.log())
        self.assertIn("handshake timed out", d.log())

    def test_encrypt_defers_when_the_gateway_offers_no_tls(self):
        gw, d = self.start_pair({"gateway_tls": "encrypt"}, tls=False)
        self.assert_deferred(gw, d, "the gateway did not offer STARTTLS and gateway_tls=encrypt")

    def test_encrypt_defers_when_the_handshake_times_out(self):
        gw, d = self.start_pair({"gateway_tls": "encrypt"}, hang="starttls")
        c = self.client(daemon=d)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        r = c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>")
        self.assertReply(r, 451, "4.4.2", ref=True, client=c)
        self.assertEqual(gw.count(), 0)
        self.assertIn("handshake timed out", d.log())

    def test_encrypt_relays_over_tls_without_checking_the_certificate(self):
        gw, d = self.start_pair({"gateway_tls": "encrypt"})
        token = self.relay_one(d)
        self.assertTrue(self.stored(gw, token)["tls"])

    def test_verify_with_the_right_ca_and_address(self):
        gw, d = self.start_pair({"gateway_tls": "verify", "gateway_tls_ca_file": self.ca})
        token = self.relay_one(d)
        self.assertTrue(self.stored(gw, token)["tls"])
        self.assertIn("verified=yes", d.log())

    def test_verify_with_the_right_ca_and_name(self):
        gw, d = self.start_pair({"gateway_tls": "verify", "gateway_tls_ca_file": self.ca,
                                 "gateway_tls_name": "localhost"})
        token = self.relay_one(d)
        self.assertTrue(self.stored(gw, token)["tls"])

    def test_verify_with_another_ca_defers(self):
        _, _, other_ca = make_certificate(os.path.join(self.workdir, "other-certs"))
        gw, d = self.start_pair({"gateway_tls": "verify", "gateway_tls_ca_file": other_ca})
        self.assert_deferred(gw, d, "certificate failed verification")

    def test_verify_with_the_wrong_name_defers(self):
        gw, d = self.start_pair({"gateway_tls": "verify", "gateway_tls_ca_file": self.ca,
                                 "gateway_tls_name": "gateway.wrong.example"})
        self.assert_deferred(gw, d, "hostname mismatch")

    def test_verify_defers_when_the_gateway_offers_no_tls(self):
        gw, d = self.start_pair({"gateway_tls": "verify", "gateway_tls_ca_file": self.ca},
                                tls=False)
        self.assert_deferred(gw, d, "the gateway did not offer STARTTLS and gateway_tls=verify")

    def test_pooled_connection_keeps_tls(self):
        counter = os.path.join(self.workdir, "connections")
        # A gateway that takes no mail without TLS, as a carrier's may well be.
        gw, d = self.start_pair({"gateway_tls": "verify", "gateway_tls_ca_file": self.ca},
                                require_starttls=True, extra_args=["--connections-file", counter])
        before = read_count(counter)  # the harness's readiness probe
        first = self.relay_one(d)
        second = self.relay_one(d)
        messages = gw.wait_for_count(2)
        self.assertEqual(sorted(self.stored_tokens(gw)), sorted([first, second]))
        self.assertTrue(all(m["tls"] for m in messages), messages)
        self.assertEqual(read_count(counter) - before, 1, "the second message used a "
                         "new connection instead of the pooled one")
        self.assertEqual(d.log().count("result=established"), 1)

    def test_reload_applies_to_new_connections(self):
        # The pooled plaintext connection is closed by the reload; the next one uses TLS.
        gw, d = self.start_pair({"gateway_tls": "none"})
        self.assertFalse(self.stored(gw, self.relay_one(d))["tls"])
        # A CA file that cannot be read keeps the running configuration.
        d.values.update({"gateway_tls": "verify", "gateway_tls_ca_file": "/nonexistent/ca.pem"})
        d.write_config()
        d.signal(signal.SIGHUP)
        poll(lambda: "kept previous configuration" in d.log(), harness.IO_TIMEOUT,
             what="the bad reload to be logged")
        self.assertIn("gateway_tls_ca_file", d.log())
        token = self.relay_one(d)
        self.assertFalse(self.stored(gw, token)["tls"])
        d.values["gateway_tls_ca_file"] = self.ca
        d.write_config()
        d.signal(signal.SIGHUP)
        poll(lambda: "result=ok" in d.log(), harness.IO_TIMEOUT, what="the good reload")
        token = self.relay_one(d)
        self.assertTrue(self.stored(gw, token)["tls"])
        self.assertIn("verified=yes", d.log())

    def test_check_config_refuses_an_unreadable_ca_file(self):
        gw = self.start_gateway()
        d = harness.Daemon(self.workdir, gw.port, {"gateway_tls": "verify",
                                                   "gateway_tls_ca_file": "/nonexistent/ca.pem"})
        d.write_config()
        rc, out = d.run_cli("--config", d.config_path, "--check-config")
        self.assertNotEqual(rc, 0, out)
        self.assertIn("gateway_tls_ca_file", out)


if __name__ == "__main__":
    harness.main()
