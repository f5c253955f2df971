#!/usr/bin/python3
# The daemon's resource limits end to end: per-network connection limits (trusted
# networks exempt), overload mode (421 4.3.2), the per-connection command rate, the
# daemon-wide message memory budget (452 4.3.1, nothing lost) and the bound on replies a
# client does not read.
import json
import os
import resource
import select
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import NUMBERS, IntegrationTest, make_message, rcpt  # noqa: E402


def status(test):
    rc, out, err = test.daemon.ctl("--json", "status")
    test.assertEqual(rc, 0, err)
    return json.loads(out)


class PerNetworkLimitTest(IntegrationTest):
    # 127.0.1.0/24 is untrusted; 127.0.3.0/24 is trusted.
    daemon_config = {"trusted_networks": "127.0.0.1/32, 127.0.3.0/24",
                     "max_connections_per_ip": "10", "max_connections_per_network": "3"}

    def test_fourth_connection_from_one_network(self):
        held = [self.client(source=f"127.0.1.{i}") for i in (1, 2, 3)]
        for c in held:
            c.ehlo()
        extra = self.client(source="127.0.1.4", banner=False)
        r = extra.reply()
        self.assertReply(r, 421, "4.7.0", client=extra, msg="(4th connection from one /24)")
        self.assertIn("network", r.text)
        self.assertIn("limit is 3", r.text)
        self.assertTrue(extra.at_eof(10 * harness.SLOW), "connection still open after 421")
        # Another /24 is not affected.
        self.client(source="127.0.2.1").ehlo()
        # A trusted network is exempt from the per-network and per-address limits.
        trusted = [self.client(source="127.0.3.7") for _ in range(12)]
        for c in trusted:
            c.ehlo()
        self.assertEqual(status(self)["limits"]["refused_per_network"], 1)
        # A slot freed in the network is served again.
        self.assertReply(held[0].cmd("QUIT"), 221, "2.0.0", client=held[0])
        held[0].at_eof(10 * harness.SLOW)

        def served():
            c = harness.SmtpClient(self.daemon.port, source="127.0.1.5")
            try:
                return c.reply().code == 220
            finally:
                c.close()
        harness.poll(served, 10 * harness.SLOW, step=0.1,
                     what="a new connection from 127.0.1.0/24 after one closed")


class OverloadTest(IntegrationTest):
    daemon_config = {"max_connections": "3"}

    def test_overload_mode(self):
        held = [self.client(source=f"127.0.0.{10 + i}") for i in range(3)]
        for c in held:
            c.ehlo()
        for i in range(5):
            extra = self.client(source=f"127.0.0.{20 + i}", banner=False)
            r = extra.reply()
            self.assertReply(r, 421, "4.3.2", client=extra, msg="(over max_connections=3)")
            self.assertEqual(r.lines[0], "4.3.2 System overloaded; try again later")
            self.assertTrue(extra.at_eof(10 * harness.SLOW), "connection still open after 421")
        # One log line for the spell, not one per refused client.
        log = self.daemon.log()
        self.assertEqual(log.count("event=overload state=entered"), 1, log[-3000:])
        limits = status(self)["limits"]
        self.assertTrue(limits["overloaded"])
        self.assertEqual(limits["refused_overload"], 5)
        self.assertEqual(limits["overload_spells"], 1)
        # The held sessions still work, and a freed slot is served.
        for c in held:
            self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)
        self.assertReply(held[0].cmd("QUIT"), 221, "2.0.0", client=held[0])
        held[0].at_eof(10 * harness.SLOW)

        def served():
            c = harness.SmtpClient(self.daemon.port, source="127.0.0.30")
            try:
                return c.reply().code == 220
            finally:
                c.close()
        harness.poll(served, 10 * harness.SLOW, step=0.1, what="a connection after overload")
        # The spell ends after a quiet review interval (5 s), and says how many it refused.
        harness.poll(lambda: "event=overload state=left refused=5" in self.daemon.log(),
                     30 * harness.SLOW, step=0.2, what="the end of the overload spell")


class CommandRateTest(IntegrationTest):
    daemon_config = {"trusted_networks": "127.0.0.1/32", "max_commands_per_minute": "10"}

    def test_pipelined_commands_over_the_rate(self):
        c = self.client(source="127.0.5.5")
        # EHLO and 9 NOOPs are 10 commands; the 11th is one too many.
        c.send("EHLO client.example\r\n" + "NOOP\r\n" * 20)
        self.assertEqual(c.reply().code, 250)
        for i in range(9):
            self.assertReply(c.reply(), 250, "2.0.0", client=c, msg=f"(NOOP {i + 1})")
        r = c.reply()
        self.assertReply(r, 421, "4.7.0", ref=True, client=c)
        self.assertIn("too many commands (11 in one minute, the limit is 10)", r.text)
        self.assertTrue(c.at_eof(10 * harness.SLOW), "connection still open after 421")
        # Counted as abuse: the address is in the penalty box.
        again = self.client(source="127.0.5.5", banner=False)
        r = again.reply()
        self.assertReply(r, 421, "4.7.0", client=again)
        self.assertIn("penalty box", r.text)
        self.assertEqual(status(self)["limits"]["commands_over_rate"], 1)

    def test_trusted_client_is_sent_away_but_not_boxed(self):
        c = self.client(source="127.0.0.1")
        c.send("NOOP\r\n" * 11)
        for _ in range(10):
            self.assertReply(c.reply(), 250, "2.0.0", client=c)
        self.assertReply(c.reply(), 421, "4.7.0", client=c)
        self.assertTrue(c.at_eof(10 * harness.SLOW))
        self.client(source="127.0.0.1").ehlo()


class MemoryBudgetTest(IntegrationTest):
    # Room for exactly one message in transit.
    daemon_config = {"max_message_size": "64k", "max_total_message_memory": "64k"}

    def begin_data(self, c, token):
        self.assertReply(c.cmd(f"MAIL FROM:<sender-{token}@example.org>"), 250, "2.1.0", client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", client=c)
        return c.cmd("DATA")

    def test_second_message_waits_for_memory(self):
        first = self.client(source="127.0.0.2")
        first.ehlo()
        self.assertReply(self.begin_data(first, "first"), 354, client=first)
        second = self.client(source="127.0.0.3")
        second.ehlo()
        r = self.begin_data(second, "second")
        self.assertReply(r, 452, "4.3.1", ref=True, client=second)
        self.assertIn("Insufficient system storage", r.text)
        self.assertEqual(status(self)["limits"]["message_memory_refused"], 1)
        self.assertEqual(status(self)["limits"]["message_memory_bytes"], 64 * 1024)
        self.assertReply(first.send_message(make_message("mem-first")), 250, ref=True, client=first)
        # The budget came back: the refused sender's retry goes through, nothing was lost.
        self.assertReply(self.begin_data(second, "second"), 354, client=second)
        self.assertReply(second.send_message(make_message("mem-second")), 250, ref=True,
                         client=second)
        self.gateway.wait_for_count(2)
        self.assertEqual(sorted(self.stored_tokens()), ["mem-first", "mem-second"])
        harness.poll(lambda: status(self)["limits"]["message_memory_bytes"] == 0,
                     10 * harness.SLOW, what="the budget given back")


class UnreadRepliesTest(IntegrationTest):
    daemon_config = {"max_commands_per_minute": "0"}

    def test_client_that_never_reads_is_bounded(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.daemon.port))
        s.setblocking(False)
        chunk = b"NOOP\r\n" * 10000
        sent = 0
        cap = 64 << 20  # without a bound the daemon would take all of it
        while sent < cap:
            _, writable, _ = select.select([], [s], [], 3 * harness.SLOW)
            if not writable:
                break  # the daemon stopped reading: bounded
            try:
                sent += s.send(chunk)
            except BlockingIOError:
                continue
        self.assertLess(sent, cap, "the daemon kept reading commands whose replies were unread")
        # Everyone else is still served meanwhile.
        other = self.client(source="127.0.0.9")
        self.assertReply(other.cmd("NOOP"), 250, "2.0.0", client=other)
        # Reading the replies lets the session go on: every command answered, in order.
        s.setblocking(True)
        s.settimeout(harness.IO_TIMEOUT)
        received = b""
        want = sent // 6  # whole NOOP lines sent
        got = 0
        while got < want:
            data = s.recv(1 << 20)
            self.assertTrue(data, f"closed after {got} of {want} replies")
            received += data
            lines = received.split(b"\r\n")
            received = lines.pop()
            for line in lines:
                if line.startswith(b"220"):
                    continue
                self.assertEqual(line, b"250 2.0.0 Ok")
                got += 1


class DescriptorLimitTest(IntegrationTest):
    def test_limit_is_raised_and_checked(self):
        # The daemon logged the limit it runs with.
        self.assertRegex(self.daemon.log(), r"event=descriptors limit=\d+ hard_limit=\d+ needed=\d+")
        # More connections than any open-file limit can carry: refused, with what to do.
        too_many = "--max_connections=2000000000"
        rc, out = self.daemon.run_cli("--config", self.daemon.config_path, "--check-config",
                                      too_many)
        self.assertEqual(rc, 2, out)
        self.assertIn("max_connections = 2000000000 needs up to", out)
        self.assertIn("LimitNOFILE", out)
        rc, out = self.daemon.run_cli("--config", self.daemon.config_path, too_many)
        self.assertEqual(rc, 2, out)
        self.assertIn("LimitNOFILE", out)

    def test_out_of_descriptors_pauses_accepting(self):
        pid = self.daemon.proc.pid
        soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        in_use = len(os.listdir(f"/proc/{pid}/fd"))
        # Room for two more clients, then accept() fails with EMFILE.
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (in_use + 2, hard))
        restored = False
        try:
            clients = [harness.SmtpClient(self.daemon.port, source=f"127.0.0.{40 + i}")
                       for i in range(5)]
            for c in clients:
                self.addCleanup(c.close)
            harness.poll(lambda: 'event=accept error="Too many open files"' in self.daemon.log(),
                         10 * harness.SLOW, what="the accept error logged")
            self.assertEqual(self.daemon.log().count("event=accept error="), 1,
                             "accept errors are logged at most once in 10 seconds")
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
            restored = True
            # The clients waiting in the backlog are served once descriptors are back.
            for c in clients:
                self.assertEqual(c.reply().code, 220, c.dump())
                self.assertReply(c.cmd("NOOP"), 250, "2.0.0", client=c)
            self.assertGreater(status(self)["limits"]["accept_errors"], 0)
        finally:
            if not restored:
                resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))


if __name__ == "__main__":
    harness.main()
