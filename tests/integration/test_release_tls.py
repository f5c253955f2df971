#!/usr/bin/python3
# `textscreenctl quarantine release` honours gateway_tls as the daemon's relay does:
# STARTTLS when offered with may (and one plaintext retry after a failed handshake),
# required with encrypt and verify, where a gateway without TLS or with a certificate
# that fails verification gets nothing and the message stays held.
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_textscreenctl import CtlTest  # noqa: E402
from tls_certs import make_certificate  # noqa: E402

FAST_TIMEOUTS = {"gateway_reply_timeout": "2s", "gateway_connect_timeout": "2s"}


class ReleaseTlsTest(CtlTest):
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.cert, self.key, self.ca = make_certificate(os.path.join(self.workdir, "certs"))

    def held_message(self, tls=True, daemon_tls="none", **gateway_options):
        """Starts a gateway and a daemon with gateway_tls = daemon_tls and quarantines
        one message; returns its ref. The release runs under use_gateway_tls's config."""
        self.gateway = self.start_gateway(tls=(self.cert, self.key) if tls else None,
                                          **gateway_options)
        self.daemon = self.start_textscreen(self.gateway.port,
                                            dict(FAST_TIMEOUTS, gateway_tls=daemon_tls))
        self.ctl("ban", "add", "sender", "q@example.org", "--action", "quarantine")
        self.token = "tlsrelease-" + uuid.uuid4().hex
        return self.quarantine_one("q@example.org", self.token)

    def use_gateway_tls(self, **keys):
        """Rewrites the config file textscreenctl reads, as an operator changing
        gateway_tls would (the running daemon keeps its snapshot until a reload)."""
        self.daemon.write_config(dict(self.daemon.values, **keys))

    def assert_released_over(self, ref, tls):
        [stored] = self.gateway.wait_for_count(1)
        self.assertIn(self.token.encode(), stored["raw"])
        self.assertEqual(stored["tls"], tls, stored)
        self.assertEqual(self.quarantined()[ref]["released_by"], "tester")

    def assert_still_held(self, ref, err, reason):
        self.assertIn(reason, err)
        self.assertIn(ref, err)
        self.assertIn("still held", err)
        self.assertEqual(self.gateway.count(), 0, "the gateway got the message")
        held = self.quarantined()
        self.assertIn(ref, held, "a refused release deleted the message")
        self.assertEqual(held[ref]["released_by"], "", "a refused release left the mark")
        self.assertEqual(held[ref]["released_at"], 0)

    def test_may_releases_over_tls_when_offered(self):
        ref = self.held_message()
        self.use_gateway_tls(gateway_tls="may")
        _, out, _ = self.ctl("quarantine", "release", ref, "--by", "tester")
        self.assert_released_over(ref, True)
        self.assertIn("over TLS", out)

    def test_none_releases_in_plaintext_to_a_tls_gateway(self):
        ref = self.held_message()
        self.use_gateway_tls(gateway_tls="none")
        self.ctl("quarantine", "release", ref, "--by", "tester")
        self.assert_released_over(ref, False)

    def test_may_retries_in_plaintext_after_a_failed_handshake(self):
        # 220 to STARTTLS, then no TLS: the handshake times out (gateway_connect_timeout)
        # and one new connection without STARTTLS carries the message.
        ref = self.held_message(hang="starttls")
        self.use_gateway_tls(gateway_tls="may")
        _, out, _ = self.ctl("quarantine", "release", ref, "--by", "tester")
        self.assert_released_over(ref, False)
        self.assertIn("handshake timed out", out)

    def test_verify_with_the_right_ca_releases_over_tls(self):
        ref = self.held_message()
        self.use_gateway_tls(gateway_tls="verify", gateway_tls_ca_file=self.ca)
        _, out, _ = self.ctl("quarantine", "release", ref, "--by", "tester", "--json")
        self.assert_released_over(ref, True)
        [result] = [l for l in out.splitlines() if l.strip()]
        self.assertIn("verified yes", json.loads(result)["gateway_tls"])

    def test_verify_through_a_gateway_that_requires_starttls(self):
        ref = self.held_message(require_starttls=True, daemon_tls="may")
        self.use_gateway_tls(gateway_tls="verify", gateway_tls_ca_file=self.ca,
                             gateway_tls_name="localhost")
        self.ctl("quarantine", "release", ref, "--by", "tester")
        self.assert_released_over(ref, True)

    def test_verify_with_another_ca_keeps_the_message_held(self):
        _, _, other_ca = make_certificate(os.path.join(self.workdir, "other-certs"))
        ref = self.held_message()
        self.use_gateway_tls(gateway_tls="verify", gateway_tls_ca_file=other_ca)
        err = self.refused("quarantine", "release", ref, "--by", "tester")
        self.assert_still_held(ref, err, "certificate failed verification")
        self.assertIn("gateway_tls = verify needs TLS", err)

    def test_verify_with_the_wrong_name_keeps_the_message_held(self):
        ref = self.held_message()
        self.use_gateway_tls(gateway_tls="verify", gateway_tls_ca_file=self.ca,
                             gateway_tls_name="gateway.wrong.example")
        err = self.refused("quarantine", "release", ref, "--by", "tester")
        self.assert_still_held(ref, err, "hostname mismatch")

    def test_encrypt_to_a_gateway_without_tls_keeps_the_message_held(self):
        ref = self.held_message(tls=False)
        self.use_gateway_tls(gateway_tls="encrypt")
        err = self.refused("quarantine", "release", ref, "--by", "tester")
        self.assert_still_held(ref, err, "the gateway did not offer STARTTLS")
        self.assertIn("gateway_tls = encrypt needs TLS", err)
        # Once the operator allows plaintext, the same message goes out, once.
        self.use_gateway_tls(gateway_tls="may")
        _, out, _ = self.ctl("quarantine", "release", ref, "--by", "tester")
        self.assert_released_over(ref, False)
        self.assertIn("did not offer STARTTLS", out)

    def test_encrypt_when_the_handshake_times_out_keeps_the_message_held(self):
        ref = self.held_message(hang="starttls")
        self.use_gateway_tls(gateway_tls="encrypt")
        err = self.refused("quarantine", "release", ref, "--by", "tester")
        self.assert_still_held(ref, err, "handshake timed out")


if __name__ == "__main__":
    harness.main()
