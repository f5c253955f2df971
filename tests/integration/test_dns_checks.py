#!/usr/bin/python3
# The connection checks against real DNS: unbound serves PTR, A and DNS-list data from
# local zones, and the dnslib stub stages SERVFAIL and slow answers. Each client speaks
# from its own loopback address (127.0.0.N), so each gets its own DNS story.
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from dns_servers import DnsStub, UnboundTest, txt_strings  # noqa: E402
from harness import IntegrationTest, make_message, rcpt  # noqa: E402

NUMBER = rcpt("14155551212")
TXT_START = "LISTED-START see https://bl.test/lookup?ip=127.0.0.8"
TXT_END = "LISTED-END"
LONG_TXT = TXT_START + " " + "x" * (1000 - len(TXT_START) - len(TXT_END) - 2) + " " + TXT_END

ZONES = ["test", "127.in-addr.arpa"]
RECORDS = [
    # 127.0.0.2: forward-confirmed reverse DNS
    "2.0.0.127.in-addr.arpa. 300 IN PTR good.test.",
    "good.test. 300 IN A 127.0.0.2",
    # 127.0.0.3: a PTR whose name points elsewhere
    "3.0.0.127.in-addr.arpa. 300 IN PTR liar.test.",
    "liar.test. 300 IN A 127.0.0.99",
    # 127.0.0.4: no PTR at all
    # DNS lists
    "5.0.0.127.bl.test. 300 IN A 127.0.0.2",
    "6.0.0.127.bl.test. 300 IN A 127.255.255.254",
    "7.0.0.127.bl.test. 300 IN A 127.0.0.2",
    "7.0.0.127.wl.test. 300 IN A 127.0.15.1",
    "8.0.0.127.bl.test. 300 IN A 127.0.0.3",
    f"8.0.0.127.bl.test. 300 IN TXT {txt_strings(LONG_TXT)}",
    "9.0.0.127.small.test. 300 IN A 127.0.0.2",
    # HELO names
    "mail.test. 300 IN A 127.0.0.10",
    "mx-only.test. 300 IN MX 10 mail.test.",
]

DNSBL = {
    "dnsbl_sites": "bl.test=127.0.0.[2..11]*3, small.test*1, wl.test=127.0.[0..255].[0..255]*-5",
    "dnsbl_threshold": "3",
    "dnsbl_action": "reject",
}


class DnsTest(UnboundTest):
    zones = ZONES

    @classmethod
    def records(cls):
        return RECORDS


class ReverseDnsTest(DnsTest):
    config = {"rdns_action": "reject"}

    def test_forward_confirmed_client_is_relayed(self):
        c, r = self.rcpt_reply("127.0.0.2")
        self.assertReply(r, 250, "2.1.5", ref=True, client=c)
        self.relay(c, "fcrdns-pass")
        self.gateway.wait_for_count(1)
        harness.poll(lambda: "rdns:pass" in self.daemon.log(), 10 * harness.SLOW,
                     what="rdns:pass in the decision line")

    def test_unconfirmed_ptr_is_refused_at_rcpt(self):
        c, r = self.rcpt_reply("127.0.0.3")
        self.assertReply(r, 550, "5.7.25", ref=True, client=c)
        self.assertIn("127.0.0.3", r.text)
        self.assertIn("does not confirm", r.text)
        self.assertReply(c.cmd("DATA"), 554, "5.5.1", client=c)
        self.assertEqual(self.gateway.count(), 0)
        out = self.lookup_after_rset(c, r.ref)
        self.assertIn("rdns", out)
        self.assertIn("liar.test", out)

    def test_missing_ptr_is_refused(self):
        c, r = self.rcpt_reply("127.0.0.4")
        self.assertReply(r, 550, "5.7.25", ref=True, client=c)
        self.assertIn("PTR", r.text)

    def test_dns_cache_can_be_listed_and_cleared(self):
        c, r = self.rcpt_reply("127.0.0.2")
        self.assertReply(r, 250, "2.1.5", client=c)
        rc, out, err = self.daemon.ctl("dns-cache", "list")
        self.assertEqual(rc, 0, err)
        self.assertIn("2.0.0.127.in-addr.arpa", out)
        self.assertIn("good.test", out)
        rc, out, err = self.daemon.ctl("dns-cache", "clear")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"cleared [1-9]\d* DNS answers")
        rc, out, err = self.daemon.ctl("--json", "dns-cache", "list")
        self.assertEqual((rc, out), (0, ""), err)

    def test_postmaster_is_exempt(self):
        c, r = self.rcpt_reply("127.0.0.4", to="postmaster@sms.example.net")
        self.assertReply(r, 250, "2.1.5", ref=True, client=c)
        self.relay(c, "to-postmaster")
        msgs = self.gateway.wait_for_count(1)
        self.assertEqual(msgs[0]["rcpt_tos"], [harness.POSTMASTER])


class HeloTest(DnsTest):
    config = {"helo_action": "reject"}

    def test_literal_that_is_not_the_client(self):
        c, r = self.rcpt_reply("127.0.0.2", helo="[127.0.0.9]")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn("[127.0.0.9]", r.text)

    def test_own_literal_passes(self):
        c, r = self.rcpt_reply("127.0.0.2", helo="[127.0.0.2]")
        self.assertReply(r, 250, "2.1.5", client=c)

    def test_underscore(self):
        c, r = self.rcpt_reply("127.0.0.2", helo="bad_name.test")
        self.assertReply(r, 550, "5.5.2", ref=True, client=c)
        self.assertIn("bad_name.test", r.text)

    def test_name_that_does_not_resolve(self):
        c, r = self.rcpt_reply("127.0.0.2", helo="nowhere.test")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn("nowhere.test", r.text)

    def test_name_with_only_mx_resolves(self):
        c, r = self.rcpt_reply("127.0.0.2", helo="mx-only.test")
        self.assertReply(r, 250, "2.1.5", client=c)


class DnsblTest(DnsTest):
    config = DNSBL

    def test_listed_over_threshold_is_refused(self):
        c, r = self.rcpt_reply("127.0.0.5")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn("127.0.0.5", r.text)
        self.assertIn("bl.test", r.text)

    def test_listed_under_threshold_is_relayed(self):
        c, r = self.rcpt_reply("127.0.0.9")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.relay(c, "under-threshold")

    def test_error_code_never_counts(self):
        c, r = self.rcpt_reply("127.0.0.6")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.relay(c, "error-code")
        checks = self.status()["checks"]
        self.assertGreaterEqual(checks["dnsbl"]["errors"], 1, checks)
        self.assertIn("127.255.255.254", self.daemon.log())

    def test_dnswl_rescues(self):
        c, r = self.rcpt_reply("127.0.0.7")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.relay(c, "rescued")

    def test_postmaster_is_exempt(self):
        c, r = self.rcpt_reply("127.0.0.5", to="abuse@sms.example.net")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.relay(c, "abuse-report")
        self.gateway.wait_for_count(1)

    def test_allowlisted_sender_is_judged_at_end_of_data(self):
        # Only authentication (SPF or aligned DKIM, known at end of data) can make an
        # allowlisted sender trusted, so its refusal waits until then; unauthenticated, the
        # listing still refuses the message and nothing reaches the gateway.
        rc, _, err = self.daemon.ctl("allow", "add", "sender.test")
        self.assertEqual(rc, 0, err)
        c, r = self.rcpt_reply("127.0.0.5")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r = c.send_message(make_message("allowlisted-but-listed"))
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn("bl.test", r.text)
        self.assertEqual(self.gateway.count(), 0)

    def test_long_txt_is_read_over_tcp(self):
        # 1,000 bytes of TXT do not fit a 512-byte UDP answer: unbound truncates, and the
        # reason can only carry the text's end if the resolver asked again over TCP.
        c, r = self.rcpt_reply("127.0.0.8")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn(TXT_START, r.text)
        self.assertIn(TXT_END, self.lookup_after_rset(c, r.ref))


class DnsDownTest(DnsTest):
    config = {"rdns_action": "reject", "rdns_temperror_action": "tempfail"}

    def test_stopped_dns_server_defers(self):
        self.unbound.stop()
        try:
            c, r = self.rcpt_reply("127.0.0.2")
            self.assertReply(r, 450, ref=True, client=c)
            self.assertTrue(r.enhanced.startswith("4."), r)
            self.assertEqual(self.gateway.count(), 0)
        finally:
            self.unbound.start()


class CheckConfigTest(IntegrationTest):
    """--check-config refuses any configuration that would reject on a DNS fault."""

    start_daemon = False

    def test_temporary_fault_mapped_to_reject_is_refused(self):
        d = harness.Daemon(self.workdir, harness.free_port())
        d.write_config()
        for key in ("rdns_temperror_action", "helo_temperror_action", "dnsbl_temperror_action"):
            rc, out = d.run_cli("--config", d.config_path, "--check-config", f"--{key}=reject")
            self.assertNotEqual(rc, 0, out)
            self.assertIn(key, out)
            self.assertIn("temporary fault", out)
            rc, out = d.run_cli("--config", d.config_path, "--check-config", f"--{key}=tempfail")
            self.assertEqual(rc, 0, out)


class DnsFaultTest(IntegrationTest):
    """Faults from the dnslib stub."""

    start_daemon = False

    def start_with_stub(self, stub_args, config):
        stub = DnsStub(self.workdir, stub_args).start()
        self.addCleanup(stub.stop)
        self.gateway = self.start_gateway()
        values = {"trusted_networks": "none", "dns_servers": stub.address,
                  "rdns_action": "reject"}
        values.update(config)
        self.daemon = self.start_textscreen(self.gateway.port, values)

    def rcpt_reply(self, source):
        c = self.client(source=source)
        c.ehlo("[%s]" % source)
        self.assertReply(c.cmd("MAIL FROM:<alerts@sender.test>"), 250, "2.1.0", client=c)
        return c, c.cmd(f"RCPT TO:<{NUMBER}>")

    def test_servfail_defers_when_fail_closed(self):
        self.start_with_stub(["--servfail", "4.0.0.127.in-addr.arpa"],
                             {"rdns_temperror_action": "tempfail"})
        c, r = self.rcpt_reply("127.0.0.4")
        self.assertReply(r, 450, "4.7.25", ref=True, client=c)
        self.assertIn("try again later", r.text)

    def test_servfail_is_ignored_when_fail_open(self):
        self.start_with_stub(["--servfail", "4.0.0.127.in-addr.arpa"], {})
        c, r = self.rcpt_reply("127.0.0.4")
        self.assertReply(r, 250, "2.1.5", client=c)

    def test_deadline_defers_and_is_counted(self):
        self.start_with_stub(["--delay", "4.0.0.127.in-addr.arpa=20"],
                             {"rdns_temperror_action": "tempfail", "rdns_timeout": "1s"})
        c, r = self.rcpt_reply("127.0.0.4")
        self.assertReply(r, 450, "4.4.3", ref=True, client=c)
        rc, out, _ = self.daemon.ctl("status", "--json")
        self.assertEqual(rc, 0)
        self.assertIn('"timeout":1', out.replace(" ", ""))

    def test_slow_answer_does_not_stall_other_sessions(self):
        self.start_with_stub([
            "--zone", "2.0.0.127.in-addr.arpa. 300 IN PTR slow.test.",
            "--zone", "slow.test. 300 IN A 127.0.0.2",
            "--zone", "3.0.0.127.in-addr.arpa. 300 IN PTR quick.test.",
            "--zone", "quick.test. 300 IN A 127.0.0.3",
            "--delay", "2.0.0.127.in-addr.arpa=4",
        ], {"dns_timeout": "10s", "rdns_timeout": "15s"})
        slow = self.client(source="127.0.0.2")
        slow.ehlo("[127.0.0.2]")
        self.assertReply(slow.cmd("MAIL FROM:<alerts@sender.test>"), 250, "2.1.0", client=slow)
        slow.send(f"RCPT TO:<{NUMBER}>\r\n")
        started = time.monotonic()
        # Meanwhile a second client is served from start to finish.
        quick = self.client(source="127.0.0.3")
        quick.ehlo("[127.0.0.3]")
        r = self.transaction(quick, sender="alerts@sender.test", recipients=[NUMBER],
                             message=make_message("quick"))
        self.assertReply(r, 250, "2.0.0", ref=True, client=quick)
        readable, _, _ = select.select([slow.sock], [], [], 0)
        self.assertFalse(readable or slow.buf,
                         f"the slow client was answered before the quick one finished "
                         f"({time.monotonic() - started:.1f}s)")
        self.assertReply(slow.reply(), 250, "2.1.5", client=slow)
        self.assertGreater(time.monotonic() - started, 3.0, "the delayed answer was not awaited")


if __name__ == "__main__":
    harness.main()
