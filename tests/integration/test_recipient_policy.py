#!/usr/bin/python3
# textscreen must never become an open relay (DESIGN.md invariant 5): only subscriber
# numbers at the gateway domains are relayed, whoever the client is, and no address
# trick (percent hack, source route, quoting, bang path, literals) gets past that.
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import GATEWAY_DOMAIN, NUMBERS, IntegrationTest, make_message, rcpt  # noqa: E402

N = NUMBERS[0]
D = GATEWAY_DOMAIN

# (recipient as written in RCPT TO:<...>, acceptable (code, enhanced) answers)
RELAY_DENIED = [(550, "5.7.1")]
NOT_A_NUMBER = [(550, "5.1.1")]
REFUSED_CASES = [
    (f"{N}@other.example", RELAY_DENIED),
    (f"postmaster@other.example", RELAY_DENIED),
    (f"{N}%other.example@{D}", NOT_A_NUMBER),                      # percent hack
    (f"user%other.example@{D}", NOT_A_NUMBER),
    (f"@{D}:user@other.example", RELAY_DENIED),                    # source route
    (f"@{D},@{D}:{N}@other.example", RELAY_DENIED),
    (f'"{N}@other.example"@{D}', NOT_A_NUMBER),                    # quoted local part
    (f'"{N}"@{D}', NOT_A_NUMBER),
    (f'"postmaster"@{D}', NOT_A_NUMBER + RELAY_DENIED),
    (f"other.example!{N}@{D}", NOT_A_NUMBER),                      # bang path
    (f"{N}@[127.0.0.1]", RELAY_DENIED),                            # address literal
    (f"{N}@[IPv6:::1]", RELAY_DENIED),
    (f"{N}@{D}.", [(501, "5.1.3")] + RELAY_DENIED),                # trailing dot
    (f"{N}@evil.{D}", RELAY_DENIED),                               # subdomain
    (f"{N}@{D}.evil.example", RELAY_DENIED),                       # suffix
    (f"{N}@x{D}", RELAY_DENIED),
    (f"{N}@{D}@other.example", [(501, "5.1.3")] + RELAY_DENIED),
    (f"{N}", [(501, "5.1.3")] + RELAY_DENIED),                     # no domain
    (f"123@{D}", NOT_A_NUMBER),                                    # invalid numbers
    (f"1415555@{D}", NOT_A_NUMBER),
    (f"abc@{D}", NOT_A_NUMBER),
    (f"1415555121299999@{D}", NOT_A_NUMBER),
    (f"19005551212@{D}", NOT_A_NUMBER),                            # premium rate
    (f"1-415-555-1212@{D}", NOT_A_NUMBER),
    (f"{N}.@{D}", [(501, "5.1.3")] + NOT_A_NUMBER),
    (f"{N}%OTHER.EXAMPLE@{D.upper()}", NOT_A_NUMBER),              # uppercase tricks
    (f"{N}@{D.upper()}.", [(501, "5.1.3")] + RELAY_DENIED),
    (f"{N}@OTHER.EXAMPLE", RELAY_DENIED),
    (f"{N}@xn--mnchen-3ya.example", RELAY_DENIED),                 # IDN A-label elsewhere
    (f"{N}@xn--sms-exmple-wrb.net", RELAY_DENIED),
    (f"{N}@m\u00fcnchen.example", [(553, "5.6.7")]),               # U-label without SMTPUTF8
    (f"{N}@[IPv6:::ffff:127.0.0.1]", RELAY_DENIED),                # mapped literal
    (f"{N}@[192.0.2.1]", RELAY_DENIED),
    (f'"{N}%other.example"@{D}', NOT_A_NUMBER),
    (f"@other.example:{N}@{D.upper()}.evil.example", RELAY_DENIED),
]
# IDN U-labels need SMTPUTF8; with it they are still only relayed to a gateway domain.
UTF8_REFUSED_CASES = [
    (f"{N}@m\u00fcnchen.example", RELAY_DENIED),
    (f"{N}@sms.ex\u0430mple.net", RELAY_DENIED),                  # Cyrillic a: a homograph
    (f"{N}@SMS.EX\u0410MPLE.NET", RELAY_DENIED),
]


class RecipientPolicyTest(IntegrationTest):

    def check_refusals(self, cases, chunk=8, mail_parameters=""):
        """Each refused recipient sits next to one good one in the same transaction, so
        the gateway's stored envelope shows exactly what was relayed. Cases are spread
        over several sessions to stay under max_errors."""
        good = rcpt(NUMBERS[1])
        tokens = []
        for start in range(0, len(cases), chunk):
            c = self.client()
            c.ehlo()
            token = "policy-" + uuid.uuid4().hex
            tokens.append(token)
            self.assertReply(c.cmd(f"MAIL FROM:<sender@example.org>{mail_parameters}"), 250,
                             "2.1.0", ref=True, client=c)
            for to, allowed in cases[start:start + chunk]:
                r = c.cmd(f"RCPT TO:<{to}>")
                ok = any(r.code == code and r.enhanced == enh for code, enh in allowed)
                self.assertTrue(ok, f"RCPT TO:<{to}> answered {r!r}, expected one of {allowed}"
                                    f"\n  transcript:{c.dump()}")
                if r.code == 550:
                    self.assertIsNotNone(r.ref, f"550 without [ts-...] reference: {r!r}")
            self.assertReply(c.cmd(f"RCPT TO:<{good}>"), 250, "2.1.5", ref=True, client=c)
            self.assertReply(c.cmd("DATA"), 354, client=c)
            self.assertReply(c.send_message(make_message(token, to=good)), 250, "2.0.0",
                             ref=True, client=c)
            c.cmd("QUIT")
        msgs = self.gateway.messages()
        self.assertEqual(self.stored_tokens(), tokens)
        for m in msgs:
            self.assertEqual(m["rcpt_tos"], [good], "a refused recipient reached the gateway")

    def test_relay_tricks_refused_for_trusted_client(self):
        # 127.0.0.0/8 is trusted by default: trust must not open the relay.
        self.check_refusals(REFUSED_CASES)

    def test_only_recipients_refused_alone(self):
        # With no accepted recipient, DATA is refused and nothing reaches the gateway.
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        r = c.cmd(f"RCPT TO:<{N}@other.example>")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        r = c.cmd(f"RCPT TO:<123@{D}>")
        self.assertReply(r, 550, "5.1.1", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 554, "5.5.1", client=c)
        self.assertReply(c.cmd("QUIT"), 221, "2.0.0", client=c)
        self.assertEqual(self.gateway.count(), 0)

    def test_reference_id_in_log(self):
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        r = c.cmd(f"RCPT TO:<{N}@other.example>")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        ref = r.ref
        c.cmd("QUIT")
        harness.poll(lambda: ref in self.daemon.log(), 10 * harness.SLOW,
                     what=f"reference id {ref} in the daemon's log")
        lines = [l for l in self.daemon.log().splitlines() if ref in l]
        self.assertTrue(any(l.startswith(ref) for l in lines),
                        f"no log line starts with {ref}: {lines}")

    def test_uppercase_domain_accepted(self):
        c = self.client()
        c.ehlo()
        token = "upper-" + uuid.uuid4().hex
        to = f"{N}@{D.upper()}"
        r = self.transaction(c, recipients=[to], message=make_message(token, to=to))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual([a.lower() for a in msgs[0]["rcpt_tos"]], [rcpt(N)])

    def test_source_route_to_gateway_is_stripped(self):
        # RFC 5321 3.6.1: a source route is accepted and ignored; the gateway sees none.
        c = self.client()
        c.ehlo()
        token = "route-" + uuid.uuid4().hex
        r = self.transaction(c, recipients=[f"@relay.example:{rcpt(N)}"],
                             message=make_message(token))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["rcpt_tos"], [rcpt(N)])


class UntrustedClientPolicyTest(IntegrationTest):
    daemon_config = {"trusted_networks": "none"}

    def test_relay_tricks_refused_for_untrusted_client(self):
        RecipientPolicyTest.check_refusals(self, REFUSED_CASES)

    def test_idn_domains_refused_with_smtputf8(self):
        RecipientPolicyTest.check_refusals(self, UTF8_REFUSED_CASES, mail_parameters=" SMTPUTF8")


class SeveralDomainsTest(IntegrationTest):
    daemon_config = {"gateway_domain": f"{GATEWAY_DOMAIN}, mms.example.org"}

    def test_each_gateway_domain_accepted(self):
        c = self.client()
        c.ehlo()
        token = "multi-" + uuid.uuid4().hex
        tos = [rcpt(NUMBERS[0]), rcpt(NUMBERS[1], "mms.example.org")]
        r = self.transaction(c, recipients=tos, message=make_message(token))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual(sorted(self.gateway.messages()[0]["rcpt_tos"]), sorted(tos))
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(N, 'example.org')}>"), 550, "5.7.1", ref=True,
                         client=c)


class TooManyRecipientsTest(IntegrationTest):
    daemon_config = {"max_recipients": "2"}

    def test_third_recipient_tempfailed(self):
        c = self.client()
        c.ehlo()
        token = "many-" + uuid.uuid4().hex
        tos = [rcpt(NUMBERS[0]), rcpt(NUMBERS[1]), rcpt(NUMBERS[3])]
        r = self.transaction(c, recipients=tos, message=make_message(token),
                             expect_rcpt=[(250, "2.1.5"), (250, "2.1.5"), (452, "4.5.3")])
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        msgs = self.gateway.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(sorted(msgs[0]["rcpt_tos"]), sorted(tos[:2]))


if __name__ == "__main__":
    harness.main()
