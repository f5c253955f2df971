#!/usr/bin/python3
# DESIGN.md's invariants that no other test file owns: the loop never blocks (no blocking
# resolver or sleep in the binary; other clients are served while the gateway hangs),
# and a 250 for a message only ever follows the gateway's 250.
import os
import subprocess
import select
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IntegrationTest, make_message, rcpt  # noqa: E402

BLOCKING_SYMBOLS = ("getaddrinfo", "gethostbyname", "gethostbyname2", "gethostbyaddr",
                    "getnameinfo", "res_query", "res_search", "res_nquery", "res_nsearch",
                    "sleep", "usleep", "nanosleep")


class LoopNeverBlocks(IntegrationTest):
    start_daemon = False

    def test_binary_imports_no_blocking_resolver_or_sleep(self):
        out = subprocess.run(["nm", "-D", "--undefined-only", harness.TEXTSCREEN_BIN],
                             capture_output=True, text=True, check=True).stdout
        imported = {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
        self.assertGreater(len(imported), 10, "nm listed no imports: wrong binary?")
        self.assertEqual(sorted(imported.intersection(BLOCKING_SYMBOLS)), [])

    def test_other_clients_are_served_while_the_gateway_hangs(self):
        gateway = self.start_gateway(hang="rcpt")
        daemon = self.start_textscreen(gateway.port, {"gateway_reply_timeout": "10s"})
        stuck = daemon.client()
        stuck.ehlo()
        stuck.cmd("MAIL FROM:<a@example.org>")
        stuck.send(f"RCPT TO:<{rcpt('14155551212')}>\r\n")  # its reply waits for the gateway
        for i in range(5):
            other = daemon.client()
            self.assertEqual(other.ehlo().code, 250)
            self.assertEqual(other.cmd("NOOP").code, 250)
            other.close()
        # The others were served while the stuck session was still waiting for its reply.
        readable, _, _ = select.select([stuck.sock], [], [], 0)
        self.assertEqual(readable, [], "the stuck session was answered before the others")
        r = stuck.reply()
        self.assertReply(r, 451, "4.4.2", ref=True, client=stuck)


class PositiveOnlyAfterGateway(IntegrationTest):
    gateway_options = {"data_reply": "452 4.3.1 gateway full"}

    def test_gateway_refusal_is_never_250(self):
        c = self.client()
        c.ehlo()
        r = self.transaction(c, recipients=[rcpt("14155551212")], message=make_message("inv2"))
        self.assertReply(r, 452, "4.3.1", ref=True, client=c)
        self.assertEqual(self.gateway.count(), 0)


if __name__ == "__main__":
    harness.main()
