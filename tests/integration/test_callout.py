#!/usr/bin/python3
# Sender verification by callout against real peers: unbound serves the senders' MX
# records, which point at capture gateways on other loopback addresses that know some
# addresses (or accept all); the daemon probes them on callout_port. The target's
# connection count shows when an answer came from the cache instead.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from dns_servers import UnboundTest  # noqa: E402

VERIFY_HOST = "127.0.0.4"     # knows good@verify.test only
ACCEPT_ALL_HOST = "127.0.0.5"  # accepts any address
DOWN_HOST = "127.0.0.6"       # nothing listens


class CalloutTest(UnboundTest):
    zones = ["test"]

    @classmethod
    def records(cls):
        return [
            "verify.test. 300 IN MX 10 mx.verify.test.",
            f"mx.verify.test. 300 IN A {VERIFY_HOST}",
            "acceptall.test. 300 IN MX 10 mx.acceptall.test.",
            f"mx.acceptall.test. 300 IN A {ACCEPT_ALL_HOST}",
            "down.test. 300 IN MX 10 mx.down.test.",
            f"mx.down.test. 300 IN A {DOWN_HOST}",
            'spf.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"',
            "spf.test. 300 IN MX 10 mx.down.test.",
        ]

    def setUp(self):
        port = harness.shared_port([VERIFY_HOST, ACCEPT_ALL_HOST, DOWN_HOST])
        self.config = {"callout_action": "reject", "callout_temperror_action": "tempfail",
                       "callout_port": str(port), "callout_timeout": "10s"}
        super().setUp()
        self.count_file = os.path.join(self.workdir, "connections")
        self.target = self.start_gateway(
            host=VERIFY_HOST, port=port,
            extra_args=["--reject-all-rcpt", "--accept-rcpt", "good@verify.test",
                        "--connections-file", self.count_file])
        self.accept_all = self.start_gateway(host=ACCEPT_ALL_HOST, port=port)

    def connections(self):
        with open(self.count_file) as f:
            return int(f.read().strip() or 0)

    def test_known_sender_is_accepted_and_cached(self):
        start = self.connections()
        c, r = self.rcpt_reply("127.0.0.2", sender="good@verify.test")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.assertEqual(self.connections(), start + 1)
        self.assertReply(c.cmd("RSET"), 250, client=c)
        self.assertReply(c.cmd("MAIL FROM:<good@verify.test>"), 250, client=c)
        r = c.cmd(f"RCPT TO:<{harness.rcpt(harness.NUMBERS[0])}>")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.assertEqual(self.connections(), start + 1, "the second check was not cached")

    def test_unknown_sender_is_refused(self):
        c, r = self.rcpt_reply("127.0.0.2", sender="forged@verify.test")
        self.assertReply(r, 550, "5.1.7", ref=True, client=c)
        self.assertIn("forged@verify.test", r.text)

    def test_accept_all_server_is_detected(self):
        c, r = self.rcpt_reply("127.0.0.2", sender="anyone@acceptall.test")
        self.assertReply(r, 250, "2.1.5", client=c)
        r = self.relay(c, "accept-all")
        self.assertIn("accepts any address", self.lookup_after_rset(c, r.ref))

    def test_unreachable_target_defers(self):
        c, r = self.rcpt_reply("127.0.0.2", sender="someone@down.test")
        self.assertReply(r, 450, "4.1.7", ref=True, client=c)

    def test_authenticated_sender_is_not_probed(self):
        # spf.test's MX is the dead host: a probe would defer, SPF pass skips it.
        c, r = self.rcpt_reply("127.0.0.2", sender="someone@spf.test")
        self.assertReply(r, 250, "2.1.5", client=c)


if __name__ == "__main__":
    harness.main()
