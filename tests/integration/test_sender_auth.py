#!/usr/bin/python3
# Sender authentication against real DNS data: unbound serves SPF, DKIM (RSA 2048 and
# 4096, ed25519) and DMARC records; messages are signed by dkimpy with keys made by
# opendkim-genkey. What the daemon concluded is read from its replies and from the
# Authentication-Results header of what reached the capture gateway.
import os
import re
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from dkim_signer import ed25519_key, rsa_key  # noqa: E402
from dns_servers import DnsStub, UnboundTest, txt_strings  # noqa: E402
from harness import IntegrationTest, make_message, rcpt  # noqa: E402

NUMBER = rcpt("14155551212")
GOOD_CLIENT = "127.0.0.2"   # in every SPF record below
OTHER_CLIENT = "127.0.0.3"  # in none of them

SPF = [
    'sender.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"',
    'sender.test. 300 IN MX 10 mail.test.',
    'soft.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 ~all"',
    'broken.test. 300 IN TXT "v=spf1 ip4:not-an-address -all"',
    'loop.test. 300 IN TXT "v=spf1 ' + " ".join(f"include:l{i}.test" for i in range(11)) +
    ' -all"',
    *[f'l{i}.test. 300 IN TXT "v=spf1 ?all"' for i in range(11)],
    'dispatch.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"',
    'mail.test. 300 IN A 127.0.0.10',
    # DMARC
    'aligned.test. 300 IN TXT "v=spf1 -all"',
    '_dmarc.aligned.test. 300 IN TXT "v=DMARC1; p=reject"',
    '_dmarc.bank.test. 300 IN TXT "v=DMARC1; p=reject"',
    'bank.test. 300 IN TXT "v=spf1 -all"',
]


def ar_header(raw):
    """The Authentication-Results header textscreen added (unfolded), or ''."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    for line in unfolded.split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "authentication-results" and \
                value.strip().lower().startswith("mx.textscreen.test"):
            return " ".join(value.split())
    return ""


class AuthTest(UnboundTest):
    zones = ["test"]

    @classmethod
    def prepare(cls, workdir):
        cls.k2048 = rsa_key(workdir, "dkim.test", "s2048", 2048)
        cls.k4096 = rsa_key(workdir, "dkim.test", "s4096", 4096)
        cls.ked = ed25519_key("dkim.test", "ed")
        cls.kaligned = rsa_key(workdir, "aligned.test", "news", 2048)
        cls.kspammer = rsa_key(workdir, "sender.test", "spam", 2048)
        cls.knokey = rsa_key(workdir, "dkim.test", "nokey", 2048)  # never published

    @classmethod
    def records(cls):
        keys = [cls.k2048, cls.k4096, cls.ked, cls.kaligned, cls.kspammer]
        return SPF + [k.zone_record(txt_strings) for k in keys]

    def deliver(self, source, sender, message, helo="mail.test"):
        c, r = self.rcpt_reply(source, sender=sender, helo=helo)
        self.assertReply(r, 250, "2.1.5", client=c)
        self.relay(c, "x", message)
        return ar_header(self.gateway.wait_for_count(1)[-1]["raw"])


class SpfObserveTest(AuthTest):
    """Every SPF result, observed: the header says what SPF concluded."""

    def test_pass(self):
        ar = self.deliver(GOOD_CLIENT, "a@sender.test", make_message("spf-pass"))
        self.assertIn("spf=pass smtp.mailfrom=sender.test", ar)

    def test_fail(self):
        ar = self.deliver(OTHER_CLIENT, "a@sender.test", make_message("spf-fail"))
        self.assertIn("spf=fail smtp.mailfrom=sender.test", ar)

    def test_softfail(self):
        ar = self.deliver(OTHER_CLIENT, "a@soft.test", make_message("spf-soft"))
        self.assertIn("spf=softfail", ar)

    def test_permerror_syntax(self):
        ar = self.deliver(GOOD_CLIENT, "a@broken.test", make_message("spf-syntax"))
        self.assertIn("spf=permerror", ar)

    def test_permerror_too_many_lookups(self):
        ar = self.deliver(GOOD_CLIENT, "a@loop.test", make_message("spf-loop"))
        self.assertIn("spf=permerror", ar)

    def test_forged_authentication_results_are_removed(self):
        forged = make_message("forged", extra_headers=[
            "Authentication-Results: mx.textscreen.test; spf=pass smtp.mailfrom=bank.test",
            "Authentication-Results: other.example; spf=pass smtp.mailfrom=x.test"])
        self.deliver(OTHER_CLIENT, "a@sender.test", forged)
        raw = self.gateway.messages()[-1]["raw"].decode(errors="replace")
        self.assertEqual(raw.count("Authentication-Results: mx.textscreen.test"), 1, raw[:2000])
        self.assertNotIn("smtp.mailfrom=bank.test", raw)
        self.assertIn("Authentication-Results: other.example", raw)


class SpfRejectTest(AuthTest):
    config = {"spf_fail_action": "reject", "spf_softfail_action": "tempfail",
              "spf_permerror_action": "reject"}

    def test_fail_is_refused_at_rcpt(self):
        c, r = self.rcpt_reply(OTHER_CLIENT, sender="a@sender.test")
        self.assertReply(r, 550, "5.7.23", ref=True, client=c)
        self.assertIn("127.0.0.3", r.text)
        self.assertIn("sender.test", r.text)

    def test_softfail_tempfails(self):
        c, r = self.rcpt_reply(OTHER_CLIENT, sender="a@soft.test")
        self.assertReply(r, 450, "4.7.23", ref=True, client=c)

    def test_permerror_is_refused(self):
        c, r = self.rcpt_reply(GOOD_CLIENT, sender="a@broken.test")
        self.assertReply(r, 550, "5.7.24", ref=True, client=c)

    def test_pass_is_relayed(self):
        c, r = self.rcpt_reply(GOOD_CLIENT, sender="a@sender.test")
        self.assertReply(r, 250, "2.1.5", client=c)

    def test_postmaster_is_exempt(self):
        c, r = self.rcpt_reply(OTHER_CLIENT, sender="a@sender.test",
                               to="postmaster@sms.example.net")
        self.assertReply(r, 250, "2.1.5", client=c)


class SpfDnsDownTest(AuthTest):
    config = {"spf_temperror_action": "tempfail"}

    def test_dns_down_defers(self):
        self.unbound.stop()
        try:
            c, r = self.rcpt_reply(GOOD_CLIENT, sender="a@sender.test")
            self.assertReply(r, 450, "4.7.24", ref=True, client=c)
        finally:
            self.unbound.start()


class DkimTest(AuthTest):

    def test_rsa_2048_passes(self):
        ar = self.deliver(GOOD_CLIENT, "a@sender.test", self.k2048.sign(make_message("rsa2048")))
        self.assertIn("dkim=pass header.d=dkim.test header.s=s2048", ar)

    def test_rsa_4096_key_read_over_tcp_passes(self):
        # The 4096-bit key's TXT record does not fit a 512-byte UDP answer.
        self.assertGreater(len(self.k4096.txt_value), 600)
        ar = self.deliver(GOOD_CLIENT, "a@sender.test", self.k4096.sign(make_message("rsa4096")))
        self.assertIn("dkim=pass header.d=dkim.test header.s=s4096", ar)

    def test_ed25519_passes(self):
        ar = self.deliver(GOOD_CLIENT, "a@sender.test", self.ked.sign(make_message("ed")))
        self.assertIn("dkim=pass header.d=dkim.test header.s=ed", ar)

    def test_altered_body_fails(self):
        signed = self.k2048.sign(make_message("altered", body="original text"))
        tampered = signed.replace(b"original text", b"changed text")
        ar = self.deliver(GOOD_CLIENT, "a@sender.test", tampered)
        self.assertIn("dkim=fail header.d=dkim.test", ar)

    def test_missing_key(self):
        ar = self.deliver(GOOD_CLIENT, "a@sender.test", self.knokey.sign(make_message("nokey")))
        self.assertRegex(ar, r"dkim=(permerror|fail) header\.d=dkim\.test header\.s=nokey")

    def test_unsigned_is_none(self):
        ar = self.deliver(GOOD_CLIENT, "a@sender.test", make_message("unsigned"))
        self.assertIn("dkim=none", ar)


class DmarcTest(AuthTest):
    config = {"dmarc_reject_action": "reject"}

    def test_unaligned_from_is_rejected(self):
        # SPF passes for sender.test and its DKIM signature verifies, but neither is the
        # From: domain bank.test, which publishes p=reject.
        msg = self.kspammer.sign(make_message("phish", sender="ceo@bank.test"))
        c, r = self.rcpt_reply(GOOD_CLIENT, sender="a@sender.test")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r = c.send_message(msg)
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn("bank.test", r.text)
        self.assertEqual(self.gateway.count(), 0)

    def test_pass_by_aligned_dkim_only(self):
        # SPF fails for the envelope domain aligned.test (v=spf1 -all), DKIM d=aligned.test
        # passes and aligns with From: news@aligned.test.
        msg = self.kaligned.sign(make_message("newsletter", sender="news@aligned.test"))
        ar = self.deliver(OTHER_CLIENT, "bounce@aligned.test", msg)
        self.assertIn("spf=fail", ar)
        self.assertIn("dkim=pass header.d=aligned.test", ar)
        self.assertIn("dmarc=pass header.from=aligned.test", ar)


class AllowlistTest(AuthTest):
    config = {"spf_fail_action": "reject"}

    def setUp(self):
        super().setUp()
        rc, _, err = self.daemon.ctl("allow", "add", "dispatch.test")
        self.assertEqual(rc, 0, err)

    def test_forged_allowlisted_sender_is_not_trusted(self):
        # dispatch.test is allowlisted, but this client is not in its SPF record and the
        # message is unsigned: not authenticated, so screened, and SPF's fail refuses it
        # (at end of data, where an allowlisted sender's verdict waits for DKIM).
        c, r = self.rcpt_reply(OTHER_CLIENT, sender="alerts@dispatch.test")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r = c.send_message(make_message("forged", sender="alerts@dispatch.test"))
        self.assertReply(r, 550, "5.7.23", ref=True, client=c)
        self.assertIn("not authenticated", self.lookup_after_rset(c, r.ref))
        self.assertEqual(self.gateway.count(), 0)

    def test_authenticated_allowlisted_sender_is_trusted(self):
        ar = self.deliver(GOOD_CLIENT, "alerts@dispatch.test",
                          make_message("truck", sender="alerts@dispatch.test"))
        self.assertIn("spf=pass smtp.mailfrom=dispatch.test", ar)


class SlowSpfTest(IntegrationTest):
    """An SPF evaluation waiting on a slow DNS answer does not stall other clients."""

    start_daemon = False

    def test_other_client_is_served_meanwhile(self):
        stub = DnsStub(self.workdir, [
            "--zone", 'slow.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"',
            "--zone", 'quick.test. 300 IN TXT "v=spf1 ip4:127.0.0.3 -all"',
            "--delay", "slow.test=4",
        ]).start()
        self.addCleanup(stub.stop)
        self.gateway = self.start_gateway()
        self.daemon = self.start_textscreen(self.gateway.port, {
            "trusted_networks": "none", "dns_servers": stub.address, "dns_timeout": "10s",
            "spf_timeout": "15s", "spf_fail_action": "reject"})
        slow = self.client(source="127.0.0.2")
        slow.ehlo("[127.0.0.2]")
        self.assertReply(slow.cmd("MAIL FROM:<a@slow.test>"), 250, "2.1.0", client=slow)
        slow.send(f"RCPT TO:<{NUMBER}>\r\n")
        started = time.monotonic()
        quick = self.client(source="127.0.0.3")
        quick.ehlo("[127.0.0.3]")
        r = self.transaction(quick, sender="a@quick.test", recipients=[NUMBER],
                             message=make_message("quick"))
        self.assertReply(r, 250, "2.0.0", ref=True, client=quick)
        readable, _, _ = select.select([slow.sock], [], [], 0)
        self.assertFalse(readable or slow.buf, "the slow client was answered first")
        self.assertReply(slow.reply(), 250, "2.1.5", client=slow)
        self.assertGreater(time.monotonic() - started, 3.0, "the delayed answer was not awaited")


if __name__ == "__main__":
    harness.main()
