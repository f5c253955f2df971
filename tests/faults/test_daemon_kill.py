#!/usr/bin/python3
# Scenario 6: the daemon is killed with SIGKILL while clients are mid-DATA, then started
# again on the same state dir. A client mid-DATA loses its connection and was never told
# 250, so nothing of its message may be stored; a message quarantined (durable before
# its 250) before the kill is still held after the restart, once; a stale LMDB reader
# left by a killed process is cleared at start; and the restarted daemon relays and
# quarantines again. (test_textscreenctl.py covers release after kill -9.)
import os
import re
import signal
import subprocess
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_harness import FaultTest, main, new_token  # noqa: E402
import harness  # noqa: E402
from harness import NUMBERS, SmtpError, make_message, rcpt  # noqa: E402

HELD = "held@example.org"
BODY = ("Partial message that will never finish. " * 200).strip()

# Opens the store; "stale" then begins a read transaction and kills itself, leaving the
# reader slot a process killed mid-read leaves; "hold" keeps the store open until its
# stdin closes. LMDB resets the reader table when the first process opens the store, so a
# stale slot only outlives its process while some other process holds the store open
# (textscreenctl, a second daemon): the holder stands in for that one.
LMDB_PROCESS = textwrap.dedent("""
    import ctypes, ctypes.util, os, signal, sys
    lib = ctypes.CDLL(ctypes.util.find_library("lmdb") or "liblmdb.so.0")
    env = ctypes.c_void_p()
    txn = ctypes.c_void_p()
    MDB_NOTLS, MDB_RDONLY = 0x200000, 0x20000
    assert lib.mdb_env_create(ctypes.byref(env)) == 0
    lib.mdb_env_set_maxdbs(env, 16)
    lib.mdb_env_set_maxreaders(env, 256)
    assert lib.mdb_env_open(env, sys.argv[2].encode(), MDB_NOTLS, 0o640) == 0
    if sys.argv[1] == "stale":
        assert lib.mdb_txn_begin(env, None, MDB_RDONLY, ctypes.byref(txn)) == 0
        os.kill(os.getpid(), signal.SIGKILL)
    print("READY", flush=True)
    sys.stdin.read()
""")


def reader_pids(store_dir):
    """The pids holding reader slots in the store's lock file (mdb_stat -r)."""
    # mdb_stat -r exits 1 even when it listed the table (it returns the last fputs).
    p = subprocess.run(["mdb_stat", "-r", store_dir], capture_output=True, text=True)
    out = p.stdout
    if not out.startswith("Reader Table Status") or p.stderr:
        raise AssertionError(f"mdb_stat -r {store_dir} failed: {out} {p.stderr}")
    return {int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+[0-9a-f]+\s+\S+\s*$", out, re.M)}


class DaemonKilled(FaultTest):

    def kill(self, daemon):
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait(timeout=30)
        daemon.log_file.close()
        daemon.checked = True  # no exit code or clean shutdown to check after SIGKILL
        daemon.check_sanitizers()

    def mid_data(self, daemon, sender, token):
        """A client that is inside DATA with half its message sent."""
        c = self.client(daemon=daemon)
        c.ehlo()
        self.assertReply(c.cmd(f"MAIL FROM:<{sender}>"), 250, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[0])}>"), 250, "2.1.5", client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        raw = make_message(token, sender=sender, body=BODY)
        c.send(raw[:len(raw) // 2])
        return c

    def test_kill_9_mid_data_and_restart(self):
        gw = self.scripted_gateway()
        daemon = self.start_textscreen(gw.port)
        rc, _, err = daemon.ctl("ban", "add", "sender", HELD, "--action", "quarantine")
        self.assertEqual(rc, 0, err)
        ledger = self.ledger()

        held = new_token("held")
        r = self.send_one(ledger, daemon, held, [rcpt(NUMBERS[1])], sender=HELD)
        self.assertReply(r, 250, "2.0.0", ref=True)
        self.assertIn("quarantine", r.text.lower())
        relayed = new_token("relayed")
        self.assertReply(self.send_one(ledger, daemon, relayed, [rcpt(NUMBERS[2])]), 250, "2.0.0")

        cut = {new_token("cut-relay"): "sender@example.org", new_token("cut-held"): HELD}
        clients = {t: self.mid_data(daemon, s, t) for t, s in cut.items()}
        self.kill(daemon)
        for token, c in clients.items():
            self.assertTrue(c.at_eof(timeout=10 * harness.SLOW),
                            "the client's connection outlived the daemon")
            ledger.told(token, None, "connection lost mid-DATA")

        # A stale reader from another killed process while a third one holds the store.
        store_dir = os.path.join(daemon.state_dir, "store")
        holder = subprocess.Popen([harness.PYTHON, "-c", LMDB_PROCESS, "hold", store_dir],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.addCleanup(holder.wait, 30)
        self.addCleanup(holder.stdin.close)
        self.addCleanup(holder.stdout.close)
        self.assertEqual(holder.stdout.readline(), b"READY\n")
        stale = subprocess.run([harness.PYTHON, "-c", LMDB_PROCESS, "stale", store_dir],
                               capture_output=True, timeout=30)
        self.assertEqual(stale.returncode, -signal.SIGKILL, stale.stderr.decode())
        dead_before = {p for p in reader_pids(store_dir) if not os.path.exists(f"/proc/{p}")}
        self.assertTrue(dead_before, f"no stale reader slot to clear: {reader_pids(store_dir)}")

        restarted = self.start_textscreen(gw.port)
        dead = {p for p in reader_pids(store_dir) if not os.path.exists(f"/proc/{p}")}
        self.assertEqual(dead, set(), "stale reader slots survived the restart")
        self.assertAccounted(ledger, gw.tokens(), self.quarantined_tokens(restarted),
                             msg="(after kill -9 and restart)")
        self.assertIn(held, self.quarantined_tokens(restarted))

        # Served again: the cut clients' retries relay and quarantine as before.
        for token, sender in cut.items():
            r = self.send_one(ledger, restarted, token, [rcpt(NUMBERS[0])], sender=sender,
                              message=make_message(token, sender=sender, body=BODY))
            self.assertReply(r, 250, "2.0.0", ref=True, msg=f"(retry of {token})")
        self.assertAccounted(ledger, gw.tokens(), self.quarantined_tokens(restarted),
                             msg="(after the retries)")
        self.assertAlive(restarted)

    def test_kill_9_right_after_the_dot_of_a_quarantined_message(self):
        # Killed after the final dot, before the client read a reply: the commit may or
        # may not have happened. Either is honest as long as the message is held at most
        # once; held without a 250 is the duplicate risk of a lost reply (the client
        # retries), the same as a gateway whose 250 was lost.
        gw = self.scripted_gateway()
        daemon = self.start_textscreen(gw.port)
        rc, _, err = daemon.ctl("ban", "add", "sender", HELD, "--action", "quarantine")
        self.assertEqual(rc, 0, err)
        ledger = self.ledger()
        token = new_token("dot")
        c = self.mid_data(daemon, HELD, token)
        raw = make_message(token, sender=HELD, body=BODY)
        c.send(raw[len(raw) // 2:] + b".\r\n")
        self.kill(daemon)
        try:
            r = c.reply()
            ledger.told(token, r.code, r.ref)
        except (OSError, SmtpError):
            ledger.told(token, None, "connection lost after the dot")
        restarted = self.start_textscreen(gw.port)
        quarantined = self.quarantined_tokens(restarted)
        ambiguous = [token] if token in quarantined and ledger.codes()[token] != 250 else []
        self.assertAccounted(ledger, gw.tokens(), quarantined, ambiguous=ambiguous)
        self.assertAlive(restarted)


if __name__ == "__main__":
    main()
