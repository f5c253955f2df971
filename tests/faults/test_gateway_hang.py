#!/usr/bin/python3
# Scenario 4: the gateway accepts the connection and goes silent, at its greeting and
# after the final dot, bounded by small gateway_connect_timeout/gateway_reply_timeout.
# The client gets a 4xx, nothing is stored, and the hung connection is never reused.
# A gateway that stores the message and then goes silent is the same ambiguity as a
# reset after storing (test_gateway_reset.py): 4xx, and the message exists upstream.
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_harness import FaultTest, main, new_token  # noqa: E402
import harness  # noqa: E402
from harness import NUMBERS, rcpt  # noqa: E402

FAST = {"gateway_connect_timeout": "1s", "gateway_reply_timeout": "1s"}
# Liveness only: the reply comes within the timeout plus generous slack for slow builds.
BOUND = 20.0 * harness.SLOW


class GatewayHangs(FaultTest):

    def check_hang(self, stage, fault, expect, ambiguous=False):
        gw = self.scripted_gateway(**{stage: fault})
        daemon = self.start_textscreen(gw.port, FAST)
        ledger = self.ledger()
        hit = new_token("hang-" + stage)
        start = time.monotonic()
        r = self.send_one(ledger, daemon, hit, [rcpt(NUMBERS[0])])
        self.assertLess(time.monotonic() - start, BOUND, "the hang was not bounded")
        self.assertReply(r, *expect, ref=True, msg=f"(gateway hung at {stage})")
        self.assertIn("it may have been queued" if stage == "dot" else "nothing was accepted",
                      r.text)
        self.assertAccounted(ledger, gw.tokens(), ambiguous=[hit] if ambiguous else [])
        gw.heal()
        after = new_token("after-" + stage)
        r = self.send_one(ledger, daemon, after, [rcpt(NUMBERS[1])])
        self.assertReply(r, 250, "2.0.0", ref=True, msg="(after the hung gateway healed)")
        self.assertAccounted(ledger, gw.tokens(), ambiguous=[hit] if ambiguous else [])
        self.assertAlive(daemon)

    def test_hang_at_greeting(self):
        self.check_hang("greeting", "hang", (451, "4.4.2"))

    def test_hang_after_dot(self):
        self.check_hang("dot", "hang", (451, "4.4.2"))

    def test_hang_after_storing_is_the_documented_duplicate_risk(self):
        self.check_hang("dot", "store-then-hang", (451, "4.4.2"), ambiguous=True)


if __name__ == "__main__":
    main()
