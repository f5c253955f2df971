#!/usr/bin/python3
# Talk before the banner, against the real daemon: the banner is held for greet_delay, a
# client that sends its EHLO first is refused at RCPT when pregreet_action is reject
# (postmaster@ still reachable), a client that waits is relayed, and trusted networks are
# never delayed.
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IntegrationTest, make_message, rcpt  # noqa: E402

CONFIG = {"trusted_networks": "none", "greet_delay": "1s", "pregreet_action": "reject"}


class PregreetTest(IntegrationTest):
    daemon_config = CONFIG

    def test_client_that_talks_first_is_refused(self):
        c = self.client(banner=False)
        c.send("EHLO early.example\r\n")  # before the 220
        self.assertReply(c.reply(), 220, client=c)
        self.assertEqual(c.reply().code, 250)  # the early EHLO is still answered
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", client=c)
        r = c.cmd(f"RCPT TO:<{rcpt('14155551212')}>")
        self.assertReply(r, 550, "5.5.1", ref=True, client=c)
        self.assertIn("before the 220 greeting", r.text)
        self.assertReply(c.cmd("RCPT TO:<postmaster@sms.example.net>"), 250, "2.1.5", client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r = c.send_message(make_message("early"))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.wait_for_count(1)
        self.assertEqual(msgs[0]["rcpt_tos"], [harness.POSTMASTER])

    def test_client_that_waits_is_relayed(self):
        c = self.client(banner=False)
        self.assertReply(c.reply(), 220, client=c)
        c.ehlo("patient.example")
        r = self.transaction(c, recipients=[rcpt("14155551212")], message=make_message("patient"))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.gateway.wait_for_count(1)


class PregreetObserveTest(IntegrationTest):
    daemon_config = dict(CONFIG, pregreet_action="observe")

    def test_observe_mode_only_records(self):
        c = self.client(banner=False)
        c.send("EHLO early.example\r\n")
        self.assertReply(c.reply(), 220, client=c)
        self.assertEqual(c.reply().code, 250)
        r = self.transaction(c, recipients=[rcpt("14155551212")], message=make_message("observed"))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        ref = r.lines[0].split("[", 1)[1].split("]", 1)[0]
        harness.poll(lambda: "pregreet:fail" in self.daemon.log(), 10 * harness.SLOW,
                     what="a decision line listing pregreet:fail")
        self.assertIn(ref, self.daemon.log())


class TrustedNotDelayedTest(IntegrationTest):
    daemon_config = dict(CONFIG, trusted_networks="127.0.0.0/8", greet_delay="10s")

    def test_trusted_client_gets_the_banner_at_once(self):
        started = time.monotonic()
        c = self.client(banner=False)
        self.assertReply(c.reply(), 220, client=c)
        # A liveness bound far below the 10 s delay an untrusted client would wait.
        self.assertLess(time.monotonic() - started, 5 * harness.SLOW)


if __name__ == "__main__":
    harness.main()
