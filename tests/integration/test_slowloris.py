#!/usr/bin/python3
# Slowloris: 5,000 connections that each trickle one byte a second of a command line they
# never finish. A real client must still complete a whole transaction promptly, every
# trickler must be closed by command_timeout, and the daemon must come out of it alive
# and sanitizer-clean. The sources are spread over 500 addresses in 50 /24 networks, so
# the per-address and per-network limits are in force without refusing anyone.
import json
import os
import resource
import selectors
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import NUMBERS, IntegrationTest, make_message, rcpt  # noqa: E402
from trickler import ADDRESSES_PER_NETWORK, PER_ADDRESS, Trickler  # noqa: E402

TRICKLERS = 5000
CONNECT_BATCH = 500  # connects waiting for their banner at once: stays below the backlog
SLOW = harness.SLOW
COMMAND_TIMEOUT = 15 * SLOW
LIVENESS = 10 * SLOW  # the real client's whole transaction


class SlowlorisTest(IntegrationTest):
    start_daemon = False

    def setUp(self):
        super().setUp()
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = TRICKLERS + 500
        if hard < need:
            self.skipTest(f"the hard open-file limit ({hard}) is below {need}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))
        self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        self.gateway = self.start_gateway()
        check_deadline = "3s"
        self.daemon = self.start_textscreen(self.gateway.port, {
            "max_connections": "6000",
            "max_connections_per_ip": str(2 * PER_ADDRESS),
            "max_connections_per_network": str(2 * PER_ADDRESS * ADDRESSES_PER_NETWORK),
            # The tricklers are screened like any outsider; the real client is trusted.
            "trusted_networks": "127.0.0.1/32",
            "command_timeout": f"{int(COMMAND_TIMEOUT * 1000)}ms",
            "rdns_timeout": check_deadline, "helo_timeout": check_deadline,
            "dnsbl_timeout": check_deadline, "sender_domain_timeout": check_deadline,
            "spf_timeout": check_deadline, "dkim_timeout": check_deadline,
            "dmarc_timeout": check_deadline,
        })
        self.selector = selectors.DefaultSelector()
        self.addCleanup(self.selector.close)
        self.tricklers = []

    def close_all(self):
        for t in self.tricklers:
            t.sock.close()

    def pump(self, seconds):
        """Reads whatever arrived and sends each greeted trickler one byte a second."""
        end = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            if now >= end:
                return
            for key, _ in self.selector.select(timeout=min(0.2, end - now)):
                t = key.data
                t.read()
                if t.closed:
                    self.selector.unregister(t.sock)
            if now - self.last_trickle >= 1.0:
                self.last_trickle = now
                for t in self.tricklers:
                    t.trickle()

    def open_tricklers(self):
        deadline = time.monotonic() + 120 * SLOW
        while len(self.tricklers) < TRICKLERS or not all(t.greeted for t in self.tricklers):
            self.assertLess(time.monotonic(), deadline,
                            f"{sum(t.greeted for t in self.tricklers)} of {TRICKLERS} "
                            f"connections greeted in time")
            waiting = sum(1 for t in self.tricklers if not t.greeted and not t.closed)
            while waiting < CONNECT_BATCH and len(self.tricklers) < TRICKLERS:
                t = Trickler(len(self.tricklers), self.daemon.port)
                self.tricklers.append(t)
                self.selector.register(t.sock, selectors.EVENT_READ, t)
                waiting += 1
            self.pump(0.1)
            closed = [t for t in self.tricklers if t.closed]
            self.assertEqual(closed, [], f"closed while connecting: {closed[0].received!r}"
                             if closed else "")

    def test_real_client_is_served_while_5000_connections_trickle(self):
        self.addCleanup(self.close_all)
        self.last_trickle = time.monotonic()
        started = time.monotonic()
        self.open_tricklers()
        greeted_in = time.monotonic() - started
        banners = {t.received.split(b"\r\n")[0][:4] for t in self.tricklers}
        self.assertEqual(banners, {b"220 "}, "every trickler got the banner")
        self.pump(2)  # every trickler has sent a byte or two

        outcome = {}

        def real_client():
            try:
                with self.daemon.client(timeout=LIVENESS) as c:
                    c.ehlo()
                    outcome["reply"] = self.transaction(
                        c, recipients=[rcpt(NUMBERS[0])], message=make_message("through-loris"))
                    c.cmd("QUIT")
            except Exception as e:  # noqa: BLE001 - reported below
                outcome["error"] = e

        open_before = sum(1 for t in self.tricklers if not t.closed)
        worker = threading.Thread(target=real_client, daemon=True)
        worker.start()
        until = time.monotonic() + LIVENESS
        while worker.is_alive() and time.monotonic() < until:
            self.pump(0.2)
        worker.join(timeout=1)
        open_after = sum(1 for t in self.tricklers if not t.closed)
        self.assertFalse(worker.is_alive(), f"the real transaction took over {LIVENESS:.0f}s")
        self.assertNotIn("error", outcome, str(outcome.get("error")))
        self.assertReply(outcome["reply"], 250, ref=True)
        self.gateway.wait_for_count(1, timeout=LIVENESS)
        self.assertEqual(self.stored_tokens(), ["through-loris"])
        # The load was there while the real client was served.
        self.assertEqual(open_before, TRICKLERS,
                         f"tricklers closed before the real client (greeting took "
                         f"{greeted_in:.1f}s, command_timeout {COMMAND_TIMEOUT:.0f}s)")
        self.assertEqual(open_after, TRICKLERS)

        # command_timeout closes every trickler: 421 4.4.2, then the close.
        deadline = time.monotonic() + COMMAND_TIMEOUT + 60 * SLOW
        while any(not t.closed for t in self.tricklers):
            if time.monotonic() > deadline:
                break
            self.pump(0.5)
        still_open = [t for t in self.tricklers if not t.closed]
        self.assertEqual(len(still_open), 0, f"{len(still_open)} tricklers never closed")
        untold = [t for t in self.tricklers
                  if b"421 4.4.2" not in t.received or b"Timeout waiting for your command"
                  not in t.received]
        self.assertEqual(untold, [], f"{len(untold)} closed without the timeout reply, e.g. "
                         f"{untold[0].received[-200:]!r}" if untold else "")
        self.assertGreater(min(t.sent for t in self.tricklers), 0)

        # Still alive and serving, every slot given back, and a clean exit.
        self.assertIsNone(self.daemon.proc.poll(), "the daemon died")
        with self.daemon.client() as c:
            self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)

        def idle():
            rc, out, _ = self.daemon.ctl("--json", "status")
            return rc == 0 and json.loads(out)["connections"] == 0
        harness.poll(idle, 30 * SLOW, step=0.2, what="all connections given back")
        self.daemon.stop()  # exit code 0 and a clean sanitizer log


if __name__ == "__main__":
    harness.main()
