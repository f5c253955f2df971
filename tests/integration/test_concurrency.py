#!/usr/bin/python3
# Many clients at once through one event loop: every message a client was told 250 for
# is at the gateway exactly once (nothing lost, nothing duplicated), and the connection
# limits answer 421 instead of queueing without bound.
import collections
import os
import smtplib
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import NUMBERS, IntegrationTest, make_message, rcpt  # noqa: E402

CLIENTS = 200
MESSAGES_PER_CLIENT = 5


def source_address(i):
    return f"127.0.0.{2 + i % 249}"  # 127.0.0.2 .. 127.0.0.250


class ConcurrencyTest(IntegrationTest):
    daemon_config = {"max_connections": "1000", "max_connections_per_ip": "50"}

    def test_many_concurrent_clients(self):
        run = uuid.uuid4().hex[:8]
        told_250 = []
        failures = []
        lock = threading.Lock()
        barrier = threading.Barrier(CLIENTS)
        deadline = 240 * harness.SLOW

        def client(i):
            try:
                s = smtplib.SMTP(timeout=120 * harness.SLOW,
                                 source_address=(source_address(i), 0))
                s.connect("127.0.0.1", self.daemon.port)
            except Exception as e:  # noqa: BLE001 - any failure is reported below
                with lock:
                    failures.append(f"client {i}: connect: {e!r}")
                barrier.abort()
                return
            try:
                try:
                    barrier.wait(timeout=60 * harness.SLOW)  # everyone connected, then go
                except threading.BrokenBarrierError:
                    pass
                s.ehlo(f"client{i}.example")
                for j in range(MESSAGES_PER_CLIENT):
                    token = f"c{run}-{i:03d}-{j}"
                    to = rcpt(NUMBERS[(i + j) % len(NUMBERS)])
                    try:
                        refused = s.sendmail(f"sender{i}@example.org", [to],
                                             make_message(token, to=to))
                    except smtplib.SMTPResponseException as e:
                        with lock:
                            failures.append(f"{token}: {e.smtp_code} {e.smtp_error!r}")
                        continue
                    except smtplib.SMTPRecipientsRefused as e:
                        with lock:
                            failures.append(f"{token}: recipient refused {e.recipients!r}")
                        s.rset()
                        continue
                    if refused:
                        with lock:
                            failures.append(f"{token}: refused {refused!r}")
                    else:
                        with lock:
                            told_250.append(token)
                s.quit()
            except Exception as e:  # noqa: BLE001
                with lock:
                    failures.append(f"client {i}: {e!r}")
            finally:
                s.close()

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(1.0, deadline - (time.monotonic() - start)))
        alive = sum(t.is_alive() for t in threads)
        took = time.monotonic() - start

        stored = collections.Counter(t for t in self.stored_tokens() if t.startswith(f"c{run}-"))
        duplicated = sorted(t for t, n in stored.items() if n > 1)
        lost = sorted(set(told_250) - set(stored))
        unexpected = sorted(set(stored) - set(told_250))
        report = (f"{len(told_250)} told 250, {sum(stored.values())} stored, "
                  f"{len(failures)} failures, {alive} clients still running after {took:.0f}s; "
                  f"failures: {failures[:10]}; lost: {lost[:10]}; duplicated: {duplicated[:10]}; "
                  f"stored but not told 250: {unexpected[:10]}")
        self.assertEqual(alive, 0, report)
        self.assertEqual(failures, [], report)
        self.assertEqual(len(told_250), CLIENTS * MESSAGES_PER_CLIENT, report)
        self.assertEqual(lost, [], report)
        self.assertEqual(duplicated, [], report)
        # A message the client never heard 250 for may only be at the gateway if the
        # reply was lost in transit, which cannot happen on loopback.
        self.assertEqual(unexpected, [], report)


class PerIpLimitTest(IntegrationTest):
    # Trusted networks are exempt from the per-address limit: 127.0.0.5 must not be one.
    daemon_config = {"max_connections_per_ip": "3", "trusted_networks": "127.0.0.1/32"}

    def test_fourth_connection_from_one_address(self):
        held = [self.client(source="127.0.0.5") for _ in range(3)]
        for c in held:
            c.ehlo()
        extra = self.client(source="127.0.0.5", banner=False)
        r = extra.reply()
        self.assertReply(r, 421, "4.7.0", client=extra, msg="(4th connection from one address)")
        self.assertTrue(extra.at_eof(10), "connection still open after 421")
        # Another address is not affected.
        other = self.client(source="127.0.0.6")
        other.ehlo()
        # When one of the three leaves, a new one from that address is served again.
        self.assertReply(held[0].cmd("QUIT"), 221, "2.0.0", client=held[0])
        held[0].at_eof(10)

        def served():
            c = harness.SmtpClient(self.daemon.port, source="127.0.0.5")
            try:
                r = c.reply()
                if r.code == 220:
                    c.cmd("QUIT")
                    return True
                return False
            finally:
                c.close()
        harness.poll(served, 10 * harness.SLOW, step=0.1,
                     what="a new connection from 127.0.0.5 after one closed")


class TotalLimitTest(IntegrationTest):
    daemon_config = {"max_connections": "3"}

    def test_connection_over_total_limit(self):
        held = [self.client(source=f"127.0.0.{10 + i}") for i in range(3)]
        for c in held:
            c.ehlo()
        extra = self.client(source="127.0.0.20", banner=False)
        r = extra.reply()
        self.assertReply(r, 421, "4.3.2", client=extra, msg="(connection over max_connections=3)")
        self.assertTrue(extra.at_eof(10), "connection still open after 421")
        # The held sessions still work.
        for c in held:
            self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)


if __name__ == "__main__":
    harness.main()
