#!/usr/bin/python3
# Shared pieces of the fault-injection suite: a scripted gateway that misbehaves at a
# chosen stage (raw sockets, so it can reset a connection with SO_LINGER 0 or go silent),
# a ledger of what each client was told, and the accounting assertion every scenario
# ends with: a message told 250 is stored at a gateway or held in quarantine exactly
# once, and a message told 4xx/5xx is in neither (unless the test names it as the one
# ambiguous case: the gateway stored it and its 250 never came back).
import collections
import json
import os
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402,F401  (re-exported for the tests)
from harness import (IO_TIMEOUT, READY_TIMEOUT, IntegrationTest, SmtpError, free_port,  # noqa: E402
                     make_message, poll)

TOKEN_RE = re.compile(rb"(?im)^Message-ID: <([^@>]+)@")


def is_reply(fault, classes="2345"):
    """True when a fault is a reply line whose code starts with one of classes."""
    return isinstance(fault, str) and fault[:1].isdigit() and fault[0] in classes


def new_token(tag):
    return f"{tag}-{uuid.uuid4().hex[:12]}"


def tokens_in(raw):
    return [t.decode() for t in TOKEN_RE.findall(raw)]


class ScriptedGateway:
    """A minimal SMTP server on a free loopback port, one thread per connection.

    faults maps a stage to what happens there:
      "greeting", "mail", "rcpt", "data", "dot": a reply line such as "451 4.3.0 busy"
        (given instead of the normal one), or "hang" (say nothing, read and discard until
        the peer leaves), or "reset" (close with SO_LINGER 0: the peer sees a RST).
      "dot" also takes "store-then-reset" and "store-then-hang": the message is stored,
        then the connection is reset, or the gateway goes silent, instead of sending the
        250: the gateway took the message but its 250 never reaches textscreen.
      "mid-data": a byte count; the connection is reset after that many bytes of the
        message have arrived (nothing is stored).
    Stored messages are kept in memory (self.stored, raw bytes). A test may change
    self.faults between messages (heal() clears them)."""

    GREETING = "220 scripted.gateway ESMTP"

    def __init__(self, faults=None, port=0):
        self.faults = dict(faults or {})
        self.stored = []
        self.connections = 0
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.open = set()
        self.stopping = False
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        with self.lock:
            conns = list(self.open)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(timeout=10)

    def heal(self):
        self.faults.clear()

    def tokens(self):
        with self.lock:
            return [t for raw in self.stored for t in tokens_in(raw)]

    def _accept_loop(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                self.open.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _reset(conn):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    @staticmethod
    def _drain(conn):
        """Stays silent: reads and discards until the peer goes away."""
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def _serve(self, conn):
        conn.settimeout(IO_TIMEOUT * 4)
        try:
            self._dialogue(conn)
        except OSError:
            pass
        finally:
            with self.lock:
                self.open.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def _act(self, conn, stage, normal, fault):
        """Answers a stage with its fault (read once by the caller: a test may heal the
        gateway meanwhile); False when the dialogue is over (reset or hang)."""
        if fault == "hang":
            self._drain(conn)
            return False
        if fault == "reset":
            self._reset(conn)
            return False
        conn.sendall(((fault if is_reply(fault) else normal) + "\r\n").encode())
        # A server that refuses at its greeting hangs up, as RFC 5321 3.1 lets it.
        return not (stage == "greeting" and is_reply(fault, "45"))

    def _dialogue(self, conn):
        if not self._act(conn, "greeting", self.GREETING, self.faults.get("greeting")):
            return
        buf = b""
        envelope_ok = False
        while True:
            while b"\r\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            line, _, buf = buf.partition(b"\r\n")
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250 scripted.gateway\r\n")
            elif verb == b"MAIL":
                envelope_ok = False
                if not self._act(conn, "mail", "250 2.1.0 OK", self.faults.get("mail")):
                    return
            elif verb == b"RCPT":
                fault = self.faults.get("rcpt")
                if not self._act(conn, "rcpt", "250 2.1.5 OK", fault):
                    return
                envelope_ok = envelope_ok or not is_reply(fault, "45")
            elif verb == b"DATA":
                if not envelope_ok:
                    conn.sendall(b"554 5.5.1 no valid recipients\r\n")
                    continue
                fault = self.faults.get("data")
                if not self._act(conn, "data", "354 go ahead", fault):
                    return
                if is_reply(fault, "45"):
                    continue
                buf, message = self._read_message(conn, buf, self.faults.get("mid-data"))
                if message is None:
                    return
                if not self._finish(conn, message):
                    return
            elif verb == b"RSET":
                envelope_ok = False
                conn.sendall(b"250 2.0.0 OK\r\n")
            elif verb == b"NOOP":
                conn.sendall(b"250 2.0.0 OK\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 2.0.0 bye\r\n")
                return
            else:
                conn.sendall(b"500 5.5.2 what?\r\n")

    def _read_message(self, conn, buf, limit):
        while b"\r\n.\r\n" not in b"\r\n" + buf:
            if limit is not None and len(buf) >= limit:
                self._reset(conn)
                return b"", None
            chunk = conn.recv(65536 if limit is None else max(1, min(65536, limit - len(buf))))
            if not chunk:
                return b"", None
            buf += chunk
        if limit is not None:
            self._reset(conn)  # the whole message fitted under the limit: still reset
            return b"", None
        data, _, rest = (b"\r\n" + buf).partition(b"\r\n.\r\n")
        return rest, data[2:]

    def _finish(self, conn, message):
        fault = self.faults.get("dot")
        if fault in ("store-then-reset", "store-then-hang"):
            self._store(message)
            if fault == "store-then-reset":
                self._reset(conn)
            else:
                self._drain(conn)
            return False
        if fault in ("hang", "reset") or is_reply(fault, "45"):
            return self._act(conn, "dot", "", fault)
        self._store(message)
        conn.sendall(b"250 2.0.0 OK stored\r\n")
        return True

    def _store(self, message):
        with self.lock:
            self.stored.append(message)


class _LogPump:
    """Copies the daemon's output from a pipe into its log file; close() waits for EOF.
    The log cannot be a file the daemon writes itself: RLIMIT_FSIZE would cut it."""

    def __init__(self, pipe, path):
        self.out = open(path, "ab")
        self.thread = threading.Thread(target=self._copy, args=(pipe,), daemon=True)
        self.thread.start()

    def _copy(self, pipe):
        for chunk in iter(lambda: pipe.read1(65536), b""):
            self.out.write(chunk)
            self.out.flush()
        pipe.close()

    def close(self):
        self.thread.join(timeout=30)
        self.out.close()


class FileSizeLimitedDaemon(harness.Daemon):
    """The daemon with RLIMIT_FSIZE set to fsize_limit bytes and SIGXFSZ ignored, so a
    write past the limit fails with EFBIG, as a full disk fails with ENOSPC."""

    def __init__(self, workdir, gateway_port, fsize_limit, config=None):
        super().__init__(workdir, gateway_port, config)
        self.fsize_limit = fsize_limit

    def _limit(self):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.fsize_limit, self.fsize_limit))

    def start(self):
        self.port = free_port(self.listen_host)
        self.values["listen"] = f"{self.listen_host}:{self.port}"
        self.write_config()
        self.proc = subprocess.Popen(
            [harness.TEXTSCREEN_BIN, "--config", self.config_path] + self.args,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=self._limit)
        self.log_file = _LogPump(self.proc.stdout, self.log_path)
        try:
            poll(self._ready, READY_TIMEOUT, what=f"textscreen banner on port {self.port}")
        except harness._EarlyExit:
            self.proc.wait(timeout=30)
            self.log_file.close()
            raise AssertionError(f"textscreen exited with {self.proc.returncode} at start; "
                                 f"log:\n{self.log()}")
        return self


class Ledger:
    """What each client was told for each message it tried to send, by token."""

    def __init__(self):
        self.replies = collections.OrderedDict()  # token -> (code, ref) or (None, why)

    def told(self, token, code, ref=None):
        self.replies[token] = (code, ref)

    def accepted(self):
        return [t for t, (code, _) in self.replies.items() if code == 250]

    def refused(self):
        return [t for t, (code, _) in self.replies.items() if code != 250]

    def codes(self):
        return {t: code for t, (code, _) in self.replies.items()}


class FaultTest(IntegrationTest):
    """IntegrationTest plus the sending and accounting helpers of the fault suite."""

    start_daemon = False

    def scripted_gateway(self, port=0, **faults):
        """A ScriptedGateway; faults as keywords (mid_data= for "mid-data")."""
        gw = ScriptedGateway({k.replace("_", "-"): v for k, v in faults.items()}, port)
        self.addCleanup(gw.stop)
        return gw

    def ledger(self):
        return Ledger()

    def send_one(self, ledger, daemon, token, recipients, sender="sender@example.org",
                 message=None, source=None, helo="client.example"):
        """One whole transaction in its own session; records the final reply (the first
        non-250 reply of the envelope, or None when the connection broke) in ledger."""
        try:
            c = daemon.client(source=source)
        except (OSError, SmtpError) as e:
            ledger.told(token, None, f"no session: {e}")
            return None
        self.addCleanup(c.close)
        try:
            c.ehlo(helo)
            r = c.cmd(f"MAIL FROM:<{sender}>")
            if r.code != 250:
                ledger.told(token, r.code, r.ref)
                return r
            accepted = 0
            last = r
            for to in recipients:
                last = c.cmd(f"RCPT TO:<{to}>")
                accepted += last.code == 250
            if not accepted:
                ledger.told(token, last.code, last.ref)
                return last
            r = c.cmd("DATA")
            if r.code != 354:
                ledger.told(token, r.code, r.ref)
                return r
            r = c.send_message(message or make_message(token, sender=sender, to=recipients[0]))
            ledger.told(token, r.code, r.ref)
            c.cmd("QUIT")
            return r
        except (OSError, SmtpError) as e:
            if token not in ledger.replies:
                ledger.told(token, None, f"connection broke: {e}")
            return None
        finally:
            c.close()

    def quarantined_tokens(self, daemon):
        """The tokens of every message in quarantine, read with textscreenctl."""
        rc, out, err = daemon.ctl("quarantine", "list", "--json")
        self.assertEqual(rc, 0, f"quarantine list failed: {err}")
        tokens = []
        for line in out.splitlines():
            if not line.strip():
                continue
            ref = json.loads(line)["ref"]
            rc, raw, err = daemon.ctl("quarantine", "show", ref, "--raw")
            self.assertEqual(rc, 0, f"quarantine show {ref} failed: {err}")
            tokens += tokens_in(raw.encode())
        return tokens

    def assertAccounted(self, ledger, stored, quarantined=(), ambiguous=(), msg=""):
        """told 250 == stored + quarantined, each exactly once; nothing told 4xx/5xx (or
        nothing at all) is stored, except the tokens named in ambiguous, which must be
        exactly those stored while the client heard no 250."""
        stored = list(stored)
        quarantined = list(quarantined)
        held = collections.Counter(stored + quarantined)
        duplicates = sorted(t for t, n in held.items() if n > 1)
        self.assertEqual(duplicates, [], f"duplicated messages {msg}: stored={stored} "
                                         f"quarantined={quarantined}")
        unknown = sorted(set(held) - set(ledger.replies))
        self.assertEqual(unknown, [], f"stored messages nobody sent {msg}")
        accepted = set(ledger.accepted())
        lost = sorted(accepted - set(held))
        self.assertEqual(lost, [], f"told 250 but neither stored nor quarantined (LOST) {msg}; "
                                   f"replies={ledger.codes()}")
        stored_after_refusal = sorted(set(held) - accepted)
        self.assertEqual(stored_after_refusal, sorted(ambiguous),
                         f"stored although the client was not told 250 {msg}; "
                         f"replies={ledger.codes()}")
        self.assertEqual(len(accepted), len(stored) + len(quarantined) - len(ambiguous),
                         f"told-250 count != stored + quarantined {msg}")

    def assertNoFiveHundreds(self, ledger, msg=""):
        bad = {t: c for t, c in ledger.codes().items() if c is not None and c >= 500}
        self.assertEqual(bad, {}, f"a temporary fault gave 5xx {msg}")

    def start_limited(self, gateway_port, fsize_limit, config=None):
        d = FileSizeLimitedDaemon(self.workdir, gateway_port, fsize_limit, config)
        self.addCleanup(d.stop)
        return d.start()

    def assertAlive(self, daemon):
        self.assertIsNone(daemon.proc.poll(), f"daemon died: {daemon.log()[-4000:]}")
        daemon.check_sanitizers()


def wait_for_tokens(gateway, n, timeout=IO_TIMEOUT):
    poll(lambda: len(gateway.tokens()) >= n, timeout, what=f"{n} messages at the gateway")


def main():
    harness.main()
