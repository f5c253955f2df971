#!/usr/bin/python3
# Scenario 1: the gateway refuses connections (nothing listens on its port). Every
# message gets a 4xx at RCPT and none is stored; when the gateway comes back on the same
# port, the same clients' retries go through, each stored exactly once. A gateway that
# goes away between a client's RCPT and its final dot costs a 4xx, not a message.
# (tests/integration/test_gateway_faults.py covers the single-message cases.)
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_harness import FaultTest, main, new_token  # noqa: E402
from harness import NUMBERS, free_port, make_message, rcpt  # noqa: E402

FAST = {"gateway_connect_timeout": "2s", "gateway_reply_timeout": "2s"}


class GatewayRefusesConnections(FaultTest):

    def test_closed_port_then_recovery(self):
        port = free_port()  # nothing listens there
        daemon = self.start_textscreen(port, FAST)
        ledger = self.ledger()
        down = [new_token("down") for _ in range(3)]
        for i, token in enumerate(down):
            r = self.send_one(ledger, daemon, token, [rcpt(NUMBERS[i])])
            self.assertReply(r, 451, "4.4.1", ref=True, msg=f"(message {token})")

        gw = self.scripted_gateway(port=port)
        self.assertAccounted(ledger, gw.tokens(), msg="(while the gateway was down)")

        retried = [new_token("retry") for _ in range(3)]
        for i, token in enumerate(retried):
            r = self.send_one(ledger, daemon, token, [rcpt(NUMBERS[i])])
            self.assertReply(r, 250, "2.0.0", ref=True, msg=f"(message {token})")
        self.assertAccounted(ledger, gw.tokens(), msg="(after the gateway came back)")
        self.assertEqual(sorted(gw.tokens()), sorted(retried))
        self.assertAlive(daemon)

    def test_gateway_goes_away_between_rcpt_and_dot(self):
        gw = self.scripted_gateway()
        daemon = self.start_textscreen(gw.port, FAST)
        ledger = self.ledger()
        c = self.client(daemon=daemon)
        c.ehlo()
        token = new_token("vanish")
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        gw.stop()  # closes the upstream connection the daemon holds open for this message
        r = c.send_message(make_message(token))
        ledger.told(token, r.code, r.ref)
        self.assertReply(r, 451, "4.4.2", ref=True, client=c)
        self.assertReply(c.cmd("NOOP"), 250, client=c)
        self.assertAccounted(ledger, gw.tokens())
        self.assertAlive(daemon)


if __name__ == "__main__":
    main()
