#!/usr/bin/python3
# Scenario 3: the gateway answers 4xx at its greeting, at MAIL, at RCPT and at the end of
# DATA. The client always gets a 4xx (never a 250, never a 5xx for the gateway's
# temporary refusal) and nothing is stored; once the gateway accepts again, the next
# message is stored exactly once. (test_gateway_faults.py covers 4xx/5xx at end of DATA
# with the capture gateway; here every stage is counted.)
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_harness import FaultTest, main, new_token  # noqa: E402
from harness import NUMBERS, rcpt  # noqa: E402

FAST = {"gateway_connect_timeout": "2s", "gateway_reply_timeout": "2s"}


class GatewayTempfails(FaultTest):

    def check_stage(self, stage, fault, expect):
        gw = self.scripted_gateway(**{stage: fault})
        daemon = self.start_textscreen(gw.port, FAST)
        ledger = self.ledger()
        refused = [new_token(stage) for _ in range(2)]
        for i, token in enumerate(refused):
            r = self.send_one(ledger, daemon, token, [rcpt(NUMBERS[i])])
            self.assertReply(r, *expect, ref=True, msg=f"(gateway said '{fault}' at {stage})")
        self.assertNoFiveHundreds(ledger)
        self.assertAccounted(ledger, gw.tokens(), msg=f"(4xx at {stage})")
        gw.heal()
        token = new_token(stage + "-healed")
        r = self.send_one(ledger, daemon, token, [rcpt(NUMBERS[2])])
        self.assertReply(r, 250, "2.0.0", ref=True, msg="(after the gateway healed)")
        self.assertAccounted(ledger, gw.tokens(), msg=f"(after 4xx at {stage})")
        self.assertEqual(gw.tokens(), [token])
        self.assertAlive(daemon)

    def test_4xx_greeting(self):
        self.check_stage("greeting", "421 4.3.2 gateway busy, closing", (451, "4.4.1"))

    def test_4xx_mail(self):
        self.check_stage("mail", "451 4.3.0 sender queue full", (451, "4.3.0"))

    def test_4xx_rcpt(self):
        self.check_stage("rcpt", "452 4.2.2 subscriber mailbox full", (452, "4.2.2"))

    def test_4xx_end_of_data(self):
        self.check_stage("dot", "451 4.3.0 cannot store now", (451, "4.3.0"))

    def test_4xx_data_command(self):
        self.check_stage("data", "451 4.3.0 not now", (451, "4.3.0"))


if __name__ == "__main__":
    main()
