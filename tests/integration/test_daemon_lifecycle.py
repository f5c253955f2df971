#!/usr/bin/python3
# The daemon as an operator meets it: --check-config names the bad key, SIGHUP swaps the
# config (and a bad file keeps the old one), SIGTERM lets the transaction in flight
# finish while refusing new clients, then exits 0.
import os
import signal
import socket
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import GATEWAY_DOMAIN, NUMBERS, IntegrationTest, make_message, rcpt  # noqa: E402

GOOD_CONFIG = {
    "listen": "127.0.0.1:2525",
    "hostname": "mx.carrier.example",
    "gateway": "127.0.0.1:2526",
    "gateway_domain": "sms.example.net, mms.example.net",
    "default_region": "US",
    "postmaster_address": "postmaster@carrier.example",
    "trusted_networks": "127.0.0.0/8, ::1/128",
    "max_message_size": "64k",
    "max_recipients": "50",
    "max_line_length": "2048",
    "command_timeout": "300s",
    "data_timeout": "2m",
    "gateway_connect_timeout": "10s",
    "gateway_reply_timeout": "1m",
    "shutdown_timeout": "30s",
    "number_cache_size": "1000",
    "log": "stderr",
}

BAD_VALUES = [
    ("listen", "not-an-address"),
    ("listen", "127.0.0.1:99999"),
    ("default_region", "XX"),
    ("max_line_length", "10"),
    ("trusted_networks", "10.0.0.0/33"),
    ("max_message_size", "100"),
    ("max_recipients", "0"),
    ("max_recipients", "many"),
    ("command_timeout", "5 fortnights"),
    ("gateway_domain", "not a domain"),
    ("postmaster_address", "nobody"),
    ("log", "somewhere"),
]


def write_file(path, values, extra_lines=()):
    with open(path, "w") as f:
        for k, v in values.items():
            f.write(f"{k} = {v}\n")
        for line in extra_lines:
            f.write(line + "\n")


class CheckConfigTest(IntegrationTest):
    start_daemon = False

    def conf(self, values, extra_lines=()):
        path = os.path.join(self.workdir, f"check-{uuid.uuid4().hex[:6]}.conf")
        write_file(path, dict(values, state_dir=self.workdir), extra_lines)
        return path

    def cli(self, *args):
        return harness.Daemon(self.workdir, 2526).run_cli(*args)

    def test_good_file(self):
        rc, out = self.cli("--check-config", "--config", self.conf(GOOD_CONFIG))
        self.assertEqual(rc, 0, f"--check-config refused a good file: {out}")

    def test_comments_and_blank_lines(self):
        path = self.conf({"max_recipients": "5"},
                         ["", "# a comment", "   ", "hostname = mx.example.net  "])
        rc, out = self.cli("--check-config", "--config", path)
        self.assertEqual(rc, 0, f"--check-config refused comments/blank lines: {out}")

    def test_bad_values(self):
        for key, value in BAD_VALUES:
            with self.subTest(key=key, value=value):
                rc, out = self.cli("--check-config",
                                   "--config", self.conf(dict(GOOD_CONFIG, **{key: value})))
                self.assertNotEqual(rc, 0, f"{key} = {value} was accepted: {out}")
                self.assertIn(key, out, f"the message for {key} = {value} does not name the key")

    def test_unknown_key(self):
        rc, out = self.cli("--check-config",
                           "--config", self.conf(GOOD_CONFIG, ["frobnication_level = 3"]))
        self.assertNotEqual(rc, 0, f"an unknown key was accepted: {out}")
        self.assertIn("frobnication_level", out)

    def test_line_without_equals(self):
        rc, out = self.cli("--check-config",
                           "--config", self.conf(GOOD_CONFIG, ["max_recipients 5"]))
        self.assertNotEqual(rc, 0, f"a line without '=' was accepted: {out}")

    def test_missing_file(self):
        rc, out = self.cli("--check-config", "--config",
                           os.path.join(self.workdir, "does-not-exist.conf"))
        self.assertNotEqual(rc, 0, f"a missing config file was accepted: {out}")

    def test_command_line_override(self):
        path = self.conf(GOOD_CONFIG)
        rc, out = self.cli("--check-config", "--config", path, "--max_recipients=abc")
        self.assertNotEqual(rc, 0, f"--max_recipients=abc was accepted: {out}")
        self.assertIn("max_recipients", out)
        rc, out = self.cli("--check-config", "--config", path, "--max_recipients=7")
        self.assertEqual(rc, 0, f"--max_recipients=7 refused: {out}")
        # An override fixes a bad file value.
        bad = self.conf(dict(GOOD_CONFIG, default_region="XX"))
        rc, out = self.cli("--check-config", "--config", bad, "--default_region=GB")
        self.assertEqual(rc, 0, f"--default_region=GB did not override the file: {out}")

    def test_help(self):
        rc, out = self.cli("--help")
        self.assertEqual(rc, 0, out)
        for key in ("listen", "gateway_domain", "max_recipients", "command_timeout",
                    "trusted_networks"):
            self.assertIn(key, out, f"--help does not mention {key}")


class ReloadTest(IntegrationTest):
    daemon_config = {"max_recipients": "1"}

    def recipients_accepted(self, n_try):
        """Opens a session and counts how many of n_try recipients got 250."""
        c = self.daemon.client()
        try:
            c.ehlo()
            r = c.cmd("MAIL FROM:<sender@example.org>")
            self.assertReply(r, 250, "2.1.0", ref=True, client=c)
            n = 0
            for i in range(n_try):
                r = c.cmd(f"RCPT TO:<{rcpt(NUMBERS[i])}>")
                if r.code == 250:
                    n += 1
                else:
                    self.assertReply(r, 452, "4.5.3", ref=True, client=c)
            c.cmd("QUIT")
            return n
        finally:
            c.close()

    def test_sighup_applies_new_config(self):
        self.assertEqual(self.recipients_accepted(3), 1)
        self.daemon.values["max_recipients"] = "3"
        self.daemon.write_config()
        self.daemon.signal(signal.SIGHUP)
        harness.poll(lambda: self.recipients_accepted(3) == 3, 20 * harness.SLOW, step=0.1,
                     what="max_recipients = 3 to take effect after SIGHUP")
        # Still a working relay after the reload.
        c = self.client()
        c.ehlo()
        token = "reloaded-" + uuid.uuid4().hex
        tos = [rcpt(NUMBERS[i]) for i in range(3)]
        self.assertReply(self.transaction(c, recipients=tos, message=make_message(token)),
                         250, "2.0.0", ref=True, client=c)
        self.assertEqual(sorted(self.gateway.messages()[0]["rcpt_tos"]), sorted(tos))

    def test_bad_file_keeps_old_config(self):
        log_before = len(self.daemon.log())
        # A valid change next to an invalid one: nothing of the new file may apply.
        self.daemon.values["max_recipients"] = "3"
        self.daemon.write_config(extra_lines=["max_line_length = 10"])
        self.daemon.signal(signal.SIGHUP)
        harness.poll(lambda: "max_line_length" in self.daemon.log()[log_before:],
                     20 * harness.SLOW, what="the log to name the bad key after SIGHUP")
        self.assertEqual(self.recipients_accepted(3), 1,
                         "part of a rejected config file was applied")
        self.assertIsNone(self.daemon.proc.poll(), "daemon exited on a bad reload")
        # A later good file is applied.
        self.daemon.write_config()
        self.daemon.signal(signal.SIGHUP)
        harness.poll(lambda: self.recipients_accepted(3) == 3, 20 * harness.SLOW, step=0.1,
                     what="max_recipients = 3 after a good reload")

    def test_unreadable_file_keeps_old_config(self):
        os.rename(self.daemon.config_path, self.daemon.config_path + ".away")
        self.daemon.signal(signal.SIGHUP)
        # Serving goes on (poll a few sessions while the reload is handled).
        for _ in range(5):
            self.assertEqual(self.recipients_accepted(2), 1)
        self.assertIsNone(self.daemon.proc.poll(), "daemon exited when its config file vanished")
        os.rename(self.daemon.config_path + ".away", self.daemon.config_path)


class ShutdownTest(IntegrationTest):

    def new_connection_refused(self):
        """True when a new client is refused: connection refused, or 421 4.3.2 then close."""
        try:
            c = harness.SmtpClient(self.daemon.port, timeout=10 * harness.SLOW)
        except ConnectionRefusedError:
            return True
        try:
            r = c.reply()
            if r.code == 220:
                c.cmd("QUIT")
                return False
            self.assertReply(r, 421, "4.3.2", client=c, msg="(new connection during shutdown)")
            return True
        except (harness.SmtpError, ConnectionResetError):
            return True  # closed without a word is a refusal too
        finally:
            c.close()

    def test_sigterm_lets_transaction_finish(self):
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", ref=True, client=c)
        self.daemon.signal(signal.SIGTERM)
        harness.poll(self.new_connection_refused, 10 * harness.SLOW, step=0.1,
                     what="new connections to be refused after SIGTERM")
        self.assertIsNone(self.daemon.proc.poll(),
                          "daemon exited while a transaction was in flight")
        token = "inflight-" + uuid.uuid4().hex
        self.assertReply(c.cmd("DATA"), 354, client=c)
        self.assertReply(c.send_message(make_message(token)), 250, "2.0.0", ref=True, client=c,
                         msg="(transaction in flight at SIGTERM)")
        r = c.cmd("QUIT")
        self.assertIn(r.code, (221, 421), f"QUIT after shutdown: {r!r}")
        self.daemon.wait_exit()
        self.assertEqual(self.stored_tokens(), [token])

    def test_idle_session_closed_on_sigterm(self):
        # A session without a transaction must not hold the shutdown up: it hears
        # 421 4.3.2 (at once, at its next command, or at the latest when shutdown_timeout
        # (5s here) runs out) and the daemon exits 0.
        c = self.client()
        c.ehlo()
        self.daemon.signal(signal.SIGTERM)
        deadline = time.monotonic() + 20 * harness.SLOW
        final = None
        while time.monotonic() < deadline:
            try:
                r = c.cmd("NOOP")
            except (harness.SmtpError, ConnectionResetError, BrokenPipeError):
                final = "closed"
                break
            if r.code != 250:
                final = r
                break
            time.sleep(0.2)  # a client pausing between commands, not a wait for the server
        self.assertIsNotNone(final, "idle session still served 20s after SIGTERM "
                             "(shutdown_timeout=5s)")
        if final != "closed":
            self.assertReply(final, 421, "4.3.2", client=c)
        self.daemon.wait_exit()


class ShutdownTimeoutTest(IntegrationTest):
    daemon_config = {"shutdown_timeout": "2s"}

    def test_stuck_session_does_not_block_exit(self):
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        c.send(b"Subject: never finished\r\n\r\n")
        start = time.monotonic()
        self.daemon.signal(signal.SIGTERM)
        self.daemon.wait_exit(timeout=30 * harness.SLOW)
        took = time.monotonic() - start
        self.assertLess(took, 25 * harness.SLOW, "shutdown_timeout=2s was not honoured")
        try:
            r = c.reply()
            self.assertReply(r, 421, "4.3.2", client=c)
        except (harness.SmtpError, ConnectionResetError):
            pass  # closed without the courtesy 421: acceptable
        self.assertEqual(self.gateway.count(), 0)


if __name__ == "__main__":
    harness.main()
