#!/usr/bin/python3
# "The gateway is dead": every way the upstream can fail must give the client a 4xx
# (or the gateway's own refusal), within the configured timeouts, and never a 250 for a
# message the gateway did not take (DESIGN.md invariants 2, 3 and 6).
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import NUMBERS, IntegrationTest, free_port, make_message, rcpt  # noqa: E402

FAST_TIMEOUTS = {"gateway_reply_timeout": "2s", "gateway_connect_timeout": "2s"}
# The reply must come within the timeout plus slack for slow (sanitizer) builds.
BOUND = 15.0 * harness.SLOW


class GatewayFaultTest(IntegrationTest):
    start_daemon = False

    def start_pair(self, config=None, **gateway_options):
        gw = self.start_gateway(**gateway_options)
        d = self.start_textscreen(gw.port, dict(FAST_TIMEOUTS, **(config or {})))
        return gw, d

    def open_transaction(self, daemon):
        c = self.client(daemon=daemon)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        return c

    def timed(self, fn):
        start = time.monotonic()
        r = fn()
        return r, time.monotonic() - start

    def test_gateway_down_at_rcpt(self):
        dead_port = free_port()  # nothing listens there
        d = self.start_textscreen(dead_port, FAST_TIMEOUTS)
        c = self.open_transaction(d)
        r, took = self.timed(lambda: c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"))
        self.assertReply(r, 451, "4.4.1", ref=True, client=c)
        self.assertLess(took, BOUND)
        r = c.cmd("DATA")
        self.assertNotEqual(r.code, 354, f"DATA accepted with no recipient: {r!r}")
        self.assertClass(r, 5, client=c)
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)

        # The gateway comes back on the same port: the next transaction goes through.
        gw = harness.CaptureGateway(self.workdir, port=dead_port)
        self.addCleanup(gw.stop)
        gw.start()
        self.assertEqual(gw.count(), 0)
        token = "back-" + uuid.uuid4().hex
        r = self.transaction(c, recipients=[rcpt(NUMBERS[0])], message=make_message(token))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual(self.stored_tokens(gw), [token])

    def test_our_faults_are_not_the_clients_errors(self):
        # A gateway outage answers every RCPT 451 4.4.1: a sender that keeps retrying in
        # one session must not be cut off (421) or boxed for errors that are ours.
        dead_port = free_port()
        d = self.start_textscreen(dead_port, dict(FAST_TIMEOUTS, max_errors="2",
                                                  abuse_max_window_errors="2"))
        c = self.open_transaction(d)
        for attempt in range(4):
            r = c.cmd(f"RCPT TO:<{rcpt(NUMBERS[attempt])}>")
            self.assertReply(r, 451, "4.4.1", ref=True, client=c,
                             msg=f"(attempt {attempt + 1}: a 421 means our fault was counted)")
        self.assertReply(c.cmd("RSET"), 250, "2.0.0", client=c)
        self.assertReply(c.cmd("NOOP"), 250, client=c)

    def test_gateway_hangs_at_greeting(self):
        gw, d = self.start_pair(hang="greeting")
        c = self.open_transaction(d)
        r, took = self.timed(lambda: c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"))
        self.assertReply(r, 451, "4.4.2", ref=True, client=c)
        self.assertLess(took, BOUND)
        self.assertGreater(took, 1.0, "gave up before gateway_connect_timeout (2s)")
        self.assertEqual(gw.count(), 0)

    def test_gateway_hangs_at_ehlo(self):
        # The EHLO reply has its own bound (gateway_reply_timeout), like every reply.
        gw, d = self.start_pair(hang="ehlo")
        c = self.open_transaction(d)
        r, took = self.timed(lambda: c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"))
        self.assertReply(r, 451, "4.4.2", ref=True, client=c)
        self.assertLess(took, BOUND)
        self.assertEqual(gw.count(), 0)

    def test_gateway_hangs_at_mail(self):
        gw, d = self.start_pair(hang="mail")
        c = self.open_transaction(d)
        r, took = self.timed(lambda: c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"))
        self.assertReply(r, 451, "4.4.2", ref=True, client=c)
        self.assertLess(took, BOUND)
        self.assertEqual(gw.count(), 0)

    def test_gateway_hangs_at_rcpt(self):
        gw, d = self.start_pair(hang="rcpt")
        c = self.open_transaction(d)
        r, took = self.timed(lambda: c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"))
        self.assertReply(r, 451, "4.4.2", ref=True, client=c)
        self.assertLess(took, BOUND)
        self.assertEqual(gw.count(), 0)

    def check_hang_at_end_of_data(self, stage):
        gw, d = self.start_pair(hang=stage)
        c = self.open_transaction(d)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r, took = self.timed(lambda: c.send_message(make_message("hang-" + stage)))
        self.assertClass(r, 4, client=c, msg=f"(gateway hung at {stage}: must be 4xx, never 250)")
        self.assertLess(took, BOUND)
        self.assertRegex(r.lines[0], r"^4\.\d+\.\d+ \[ts-[0-9a-z]{13}\]", f"reply {r!r}")
        # The session is still usable and the next command gets its own answer.
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)
        self.assertEqual(gw.count(), 0)

    def test_gateway_hangs_at_data(self):
        self.check_hang_at_end_of_data("data")

    def test_gateway_hangs_at_dot(self):
        self.check_hang_at_end_of_data("dot")

    def check_client_leaves_while_gateway_hangs(self, stage):
        # The client goes away while the daemon waits for the gateway; the gateway's
        # timeout then fires for a session that no longer exists (a use-after-free
        # candidate the sanitizer builds are meant to catch).
        gw, d = self.start_pair(hang=stage)
        c = self.open_transaction(d)
        if stage == "dot":
            self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", ref=True,
                             client=c)
            self.assertReply(c.cmd("DATA"), 354, client=c)
            c.send(make_message("vanishing") + b".\r\n")
        else:
            c.send(f"RCPT TO:<{rcpt(NUMBERS[0])}>\r\n")
        c.close()
        # A second session waits out the same gateway timeout: by the time it has its
        # answer, the first session's timer has fired too.
        c2 = self.open_transaction(d)
        if stage == "dot":
            self.assertReply(c2.cmd(f"RCPT TO:<{rcpt(NUMBERS[1])}>"), 250, "2.1.5", ref=True,
                             client=c2)
            self.assertReply(c2.cmd("DATA"), 354, client=c2)
            r = c2.send_message(make_message("second"))
        else:
            r = c2.cmd(f"RCPT TO:<{rcpt(NUMBERS[1])}>")
        self.assertClass(r, 4, client=c2)
        self.assertReply(c2.cmd("NOOP"), 250, "2.0.0", client=c2)
        self.assertIsNone(d.proc.poll(), f"daemon died: {d.log()[-3000:]}")
        d.check_sanitizers()
        self.assertEqual(gw.count(), 0)

    def test_client_leaves_while_gateway_hangs_at_greeting(self):
        self.check_client_leaves_while_gateway_hangs("greeting")

    def test_client_leaves_while_gateway_hangs_at_rcpt(self):
        self.check_client_leaves_while_gateway_hangs("rcpt")

    def test_client_leaves_while_gateway_hangs_at_dot(self):
        self.check_client_leaves_while_gateway_hangs("dot")

    def test_gateway_tempfails_data(self):
        gw, d = self.start_pair(data_reply="451 4.3.0 try later")
        c = self.open_transaction(d)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r = c.send_message(make_message("tempfail"))
        self.assertEqual(r.code, 451, f"gateway said 451 at end of DATA, client got {r!r}")
        self.assertRegex(r.lines[0], r"^4\.\d+\.\d+ \[ts-[0-9a-z]{13}\]", f"reply {r!r}")
        self.assertEqual(gw.count(), 0)

    def test_gateway_refuses_data(self):
        gw, d = self.start_pair(data_reply="554 5.6.0 refused")
        c = self.open_transaction(d)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r = c.send_message(make_message("refused"))
        self.assertEqual(r.code, 554, f"gateway said 554 at end of DATA, client got {r!r}")
        self.assertRegex(r.lines[0], r"^5\.\d+\.\d+ \[ts-[0-9a-z]{13}\]", f"reply {r!r}")
        self.assertEqual(gw.count(), 0)

    def test_gateway_tempfails_one_recipient(self):
        gw, d = self.start_pair(tempfail_rcpt=[NUMBERS[1]])
        c = self.open_transaction(d)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[1])}>"), 450, "4.2.1", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        token = "tf-" + uuid.uuid4().hex
        self.assertReply(c.send_message(make_message(token)), 250, "2.0.0", ref=True, client=c)
        msgs = gw.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["rcpt_tos"], [rcpt(NUMBERS[0])])

    def test_gateway_restarts_between_messages(self):
        # A pooled idle connection whose gateway went away must not cost a message.
        gw, d = self.start_pair()
        port = gw.port
        c = self.client(daemon=d)
        c.ehlo()
        t1 = "first-" + uuid.uuid4().hex
        r = self.transaction(c, recipients=[rcpt(NUMBERS[0])], message=make_message(t1))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        gw.stop()
        gw2 = harness.CaptureGateway(self.workdir, port=port)
        self.addCleanup(gw2.stop)
        gw2.start()
        t2 = "second-" + uuid.uuid4().hex
        c2 = self.client(daemon=d)
        c2.ehlo()
        self.assertReply(c2.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True,
                         client=c2)
        r = c2.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>")
        self.assertReply(r, 250, "2.1.5", ref=True, client=c2,
                         msg="(a pooled connection to the old gateway process was reused "
                             "instead of reconnecting)")
        self.assertReply(c2.cmd("DATA"), 354, client=c2)
        self.assertReply(c2.send_message(make_message(t2)), 250, "2.0.0", ref=True, client=c2)
        self.assertEqual(self.stored_tokens(gw), [t1])
        self.assertEqual(self.stored_tokens(gw2), [t2])


if __name__ == "__main__":
    harness.main()
