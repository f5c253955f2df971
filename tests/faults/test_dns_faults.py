#!/usr/bin/python3
# Scenario 5: DNS fails while the DNS checks are on (reverse DNS, HELO name, sender
# domain, a DNS list, SPF; each set to reject). Two faults: the DNS server is down (the
# config points at a closed port) and it answers SERVFAIL (the dnslib stub). Fail-open
# (temperror actions "observe") relays every message; fail-closed (temperror actions
# "tempfail") defers every message with a 4xx; neither ever answers 5xx, and every 250
# is stored exactly once. (test_dns_checks.py covers each check's own fault handling.)
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_harness import FaultTest, main, new_token  # noqa: E402
from dns_servers import DnsStub  # noqa: E402
from harness import NUMBERS, free_port, make_message, rcpt  # noqa: E402

CLIENT = "127.0.0.4"
HELO = "mail.test"
SENDER = "alerts@sender.test"
# Every name the checks ask about for this client, HELO and sender.
NAMES = ["4.0.0.127.in-addr.arpa", "4.0.0.127.bl.test", HELO, "sender.test",
         "_dmarc.sender.test"]
CHECKS = {
    "trusted_networks": "none",
    "rdns_action": "reject",
    "helo_action": "reject",
    "sender_domain_action": "reject",
    "dnsbl_sites": "bl.test*3",
    "dnsbl_threshold": "3",
    "dnsbl_action": "reject",
    "spf_fail_action": "reject",
    "rdns_timeout": "2s",
}
TEMPERROR_KEYS = ["rdns_temperror_action", "helo_temperror_action",
                  "sender_domain_temperror_action", "dnsbl_temperror_action",
                  "spf_temperror_action"]
FAIL_OPEN = dict(CHECKS, **{k: "observe" for k in TEMPERROR_KEYS})
FAIL_CLOSED = dict(CHECKS, **{k: "tempfail" for k in TEMPERROR_KEYS})
MESSAGES = 3


class DnsFaults(FaultTest):

    def dns_down(self):
        return f"127.0.0.1:{free_port()}"  # nobody listens: every query is refused

    def dns_servfail(self):
        stub = DnsStub(self.workdir, [a for n in NAMES for a in ("--servfail", n)]).start()
        self.addCleanup(stub.stop)
        return stub.address

    def run_mail(self, dns_server, config, expect_class):
        gw = self.scripted_gateway()
        daemon = self.start_textscreen(gw.port, dict(config, dns_servers=dns_server))
        ledger = self.ledger()
        for i in range(MESSAGES):
            token = new_token("dns")
            r = self.send_one(ledger, daemon, token, [rcpt(NUMBERS[i])], sender=SENDER,
                              source=CLIENT, helo=HELO,
                              message=make_message(token, sender=SENDER))
            self.assertIsNotNone(r, f"connection broke: {ledger.replies}")
            self.assertEqual(r.code // 100, expect_class, f"message {i}: {r!r}")
            if expect_class == 4:
                self.assertTrue(r.enhanced and r.enhanced.startswith("4."), r)
                self.assertIn("[ts-", r.lines[0], f"a 4xx without a reference: {r!r}")
        self.assertNoFiveHundreds(ledger)
        self.assertAccounted(ledger, gw.tokens())
        self.assertEqual(len(gw.tokens()), MESSAGES if expect_class == 2 else 0)
        self.assertAlive(daemon)

    def test_dns_down_fail_open_relays(self):
        self.run_mail(self.dns_down(), FAIL_OPEN, 2)

    def test_dns_down_fail_closed_tempfails(self):
        self.run_mail(self.dns_down(), FAIL_CLOSED, 4)

    def test_servfail_fail_open_relays(self):
        self.run_mail(self.dns_servfail(), FAIL_OPEN, 2)

    def test_servfail_fail_closed_tempfails(self):
        self.run_mail(self.dns_servfail(), FAIL_CLOSED, 4)


if __name__ == "__main__":
    main()
