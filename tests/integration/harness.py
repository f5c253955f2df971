#!/usr/bin/python3
# Shared fixtures for the end-to-end tests: the real daemon ($TEXTSCREEN_BIN) on a free
# loopback port, the capture gateway (tools/capture_gateway.py) as its upstream, and a
# raw SMTP client that shows exactly what the daemon answered. Every wait is polled with
# a bound; nothing sleeps hoping a server is ready.
import http.client
import json
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

from tls_certs import make_certificate

SOURCE_DIR = os.environ.get(
    "TEXTSCREEN_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
TEXTSCREEN_BIN = os.environ.get("TEXTSCREEN_BIN", os.path.join(SOURCE_DIR, "build", "textscreen"))
# The build directory under test: the daemon is built at its top.
BUILD_DIR = os.path.dirname(os.path.abspath(TEXTSCREEN_BIN))
CAPTURE_GATEWAY = os.path.join(SOURCE_DIR, "tools", "capture_gateway.py")
FAKE_SMS_API = os.path.join(SOURCE_DIR, "tools", "fake-sms-api")
# The operator CLI is built next to the daemon.
TEXTSCREENCTL_BIN = os.environ.get(
    "TEXTSCREENCTL_BIN", os.path.join(os.path.dirname(TEXTSCREEN_BIN), "textscreenctl"))
PYTHON = "/usr/bin/python3"

# ASan/UBSan builds are several times slower: liveness bounds are generous on purpose.
SLOW = float(os.environ.get("TEXTSCREEN_TEST_SLOWDOWN", "1"))
READY_TIMEOUT = 30.0 * SLOW
IO_TIMEOUT = 30.0 * SLOW
STOP_TIMEOUT = 30.0 * SLOW

GATEWAY_DOMAIN = "sms.example.net"
POSTMASTER = "postmaster@carrier.example"
HOSTNAME = "mx.textscreen.test"
# Valid US subscriber numbers per libphonenumber's metadata.
NUMBERS = ["14155551212", "12015550123", "12025550181", "16502530000", "13105550199",
           "16175550142", "12125551234", "14155550100"]

REF_RE = re.compile(r"\[(ts-[0-9a-z]{13})\]")
LOG_REF_RE = re.compile(r"ts-[0-9a-z]{13}")
SANITIZER_MARKERS = ("runtime error:", "AddressSanitizer", "LeakSanitizer")

os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")


def rcpt(number, domain=GATEWAY_DOMAIN):
    return f"{number}@{domain}"


def build_option(name):
    """The value of a cached option of the build directory under test ('' when unset)."""
    try:
        with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
            for line in f:
                key, _, value = line.strip().partition("=")
                if key.partition(":")[0] == name:
                    return value
    except FileNotFoundError:
        pass
    return ""


def free_port(host="127.0.0.1"):
    return shared_port([host])


def shared_port(hosts, attempts=50):
    """A port free for TCP and UDP on every one of hosts (some servers share one port on
    several addresses, the callout port). It comes from below the kernel's ephemeral range:
    a port from that range can be given meanwhile to any outgoing connection or DNS query,
    and a client connecting to it once its server is gone can be given it as its own
    source port and connect to itself (then it hears nothing until its timeout)."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        ephemeral_low = int(f.read().split()[0])
    # A machine whose ephemeral range starts low leaves no such ports: any unprivileged one.
    ports = range(10000, ephemeral_low) if ephemeral_low > 11000 else range(1024, 65536)
    for _ in range(attempts):
        port = secrets.choice(ports)
        sockets = []
        try:
            for host in hosts:
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    sockets.append(socket.socket(socket.AF_INET, kind))
                    sockets[-1].bind((host, port))
            return port
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError(f"no port free on all of {hosts} after {attempts} tries")


def poll(predicate, timeout, step=0.05, what="condition"):
    """Calls predicate until it returns a true value or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, ValueError) as e:
            last_error = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}"
                                 + (f" (last error: {last_error})" if last_error else ""))
        time.sleep(step)


class Reply:
    """One SMTP reply: code, the lines' texts, and helpers for the enhanced code and ref."""

    def __init__(self, code, lines):
        self.code = code
        self.lines = lines  # texts after "NNN-" / "NNN "

    @property
    def text(self):
        return "\n".join(self.lines)

    @property
    def enhanced(self):
        m = re.match(r"([245]\.\d{1,3}\.\d{1,3})(?:\s|$)", self.lines[0] if self.lines else "")
        return m.group(1) if m else None

    @property
    def ref(self):
        m = REF_RE.search(self.lines[0] if self.lines else "")
        return m.group(1) if m else None

    def __repr__(self):
        return " / ".join(f"{self.code} {l}" for l in self.lines) or f"{self.code}"


class SmtpError(AssertionError):
    pass


class SmtpClient:
    """A deliberately dumb SMTP client: sends exactly the bytes it is given."""

    def __init__(self, port, host="127.0.0.1", source=None, timeout=IO_TIMEOUT):
        self.sock = socket.create_connection(
            (host, port), timeout=timeout,
            source_address=(source, 0) if source else None)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.transcript = []

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.transcript.append(("C", data))
        self.sock.sendall(data)

    def _read_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SmtpError(f"connection closed while waiting for a reply "
                                f"(partial {self.buf!r}); transcript: {self.dump()}")
            self.buf += chunk
            if len(self.buf) > 1 << 20:
                raise SmtpError("reply line longer than 1 MiB")
        line, _, self.buf = self.buf.partition(b"\n")
        return line.rstrip(b"\r").decode("utf-8", errors="replace")

    def reply(self):
        lines = []
        code = None
        for _ in range(1000):
            line = self._read_line()
            if len(line) < 3 or not line[:3].isdigit():
                raise SmtpError(f"malformed reply line {line!r}")
            if code is None:
                code = int(line[:3])
            elif int(line[:3]) != code:
                raise SmtpError(f"reply code changed mid-reply: {line!r}")
            lines.append(line[4:])
            if len(line) == 3 or line[3] == " ":
                r = Reply(code, lines)
                self.transcript.append(("S", repr(r)))
                return r
            if line[3] != "-":
                raise SmtpError(f"malformed reply line {line!r}")
        raise SmtpError("reply with more than 1000 lines")

    def cmd(self, line):
        self.send(line + b"\r\n" if isinstance(line, bytes) else line + "\r\n")
        return self.reply()

    def banner(self):
        return self.reply()

    def ehlo(self, name="client.example"):
        r = self.cmd(f"EHLO {name}")
        if r.code != 250:
            raise SmtpError(f"EHLO refused: {r!r}")
        return r

    def at_eof(self, timeout=IO_TIMEOUT):
        """True when the server closes the connection within timeout (discarding data)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def send_message(self, message):
        """Sends the body of DATA (after 354) with dot-stuffing and the final dot."""
        if isinstance(message, str):
            message = message.encode()
        lines = message.split(b"\r\n")
        if lines and lines[-1] == b"":
            lines.pop()
        stuffed = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines)
        self.send(stuffed + b".\r\n")
        return self.reply()

    def dump(self):
        out = []
        for who, what in self.transcript[-30:]:
            if who == "C":
                what = what if len(what) < 300 else what[:300] + b"..."
            out.append(f"{who}: {what!r}" if who == "C" else f"S: {what}")
        return "\n    " + "\n    ".join(out)


def make_message(token, subject=None, sender="sender@example.org", to=None, body=None,
                 extra_headers=()):
    """A small RFC 5322 message with CRLF line ends whose Message-ID and body carry token."""
    to = to or rcpt(NUMBERS[0])
    lines = [
        f"From: <{sender}>",
        f"To: <{to}>",
        f"Subject: {subject or 'test ' + token}",
        f"Message-ID: <{token}@client.example>",
        "Date: Mon, 23 Nov 2026 12:00:00 +0000",
        *extra_headers,
        "",
        body if body is not None else f"Hello, this is message {token}.",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


class TempDir:
    def __init__(self, prefix="textscreen-it-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def cleanup(self):
        import shutil
        shutil.rmtree(self.path, ignore_errors=True)


class ServerProcess:
    """A peer server started by a test (gateway, DNS): its log file, and a stop that
    always reaps the process, killing it if SIGTERM is not enough."""

    proc = None
    log_path = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self.proc:
            self.log_file.close()
        self.proc = None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""


def smtp_greets(host, port, timeout):
    """True when an SMTP server on host:port answers a connection with a 220 banner."""
    with socket.create_connection((host, port), timeout=2) as s:
        s.settimeout(timeout)
        data = b""
        while b"\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                return False
            data += chunk
        s.sendall(b"QUIT\r\n")
        return data.startswith(b"220")


def sha512_crypt(password):
    """A crypt(3) SHA-512 hash of password, for the users files (AUTH, staff)."""
    p = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password.encode(),
                       capture_output=True, check=True, timeout=60)
    return p.stdout.decode().strip()


def config_values(path):
    """The key = value settings of a textscreen configuration file."""
    values = {}
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


class CaptureGateway(ServerProcess):
    """tools/capture_gateway.py on a free port, with its spool in a temporary dir."""

    instances = 0

    def __init__(self, workdir, port=None, reject_rcpt=(), tempfail_rcpt=(), data_reply=None,
                 hang=None, extra_args=(), host="127.0.0.1", tls=None, require_starttls=False):
        """tls: (cert, key) paths, e.g. from tls_certs.make_certificate: offer STARTTLS."""
        self.workdir = workdir
        self.host = host
        self.port = port or free_port(host)
        CaptureGateway.instances += 1
        tag = f"{self.port}-{CaptureGateway.instances}"
        self.spool = os.path.join(workdir, f"spool-{tag}")
        self.log_path = os.path.join(workdir, f"gateway-{tag}.log")
        self.hang = hang
        args = [PYTHON, CAPTURE_GATEWAY, "--listen", f"{host}:{self.port}",
                "--spool", self.spool]
        for r in reject_rcpt:
            args += ["--reject-rcpt", r]
        for r in tempfail_rcpt:
            args += ["--tempfail-rcpt", r]
        if data_reply:
            args += ["--data-reply", data_reply]
        if hang:
            args += ["--hang", hang]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        if require_starttls:
            args += ["--require-starttls"]
        args += list(extra_args)
        self.args = args
        self.proc = None

    def start(self):
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        poll(self._ready, READY_TIMEOUT, what=f"capture gateway on port {self.port}")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"capture gateway exited with {self.proc.returncode}: "
                                 f"{self.log()}")
        if self.hang == "greeting":
            # It never greets; an accepted connection is all we get.
            socket.create_connection((self.host, self.port), timeout=2).close()
            return True
        return smtp_greets(self.host, self.port, 5)

    def messages(self):
        """The stored messages, in arrival order: dicts with the envelope plus 'raw' bytes."""
        out = []
        if not os.path.isdir(self.spool):
            return out
        for name in sorted(os.listdir(self.spool)):
            if not name.endswith(".eml") or name.startswith("."):
                continue
            stem = name[:-4]
            with open(os.path.join(self.spool, stem + ".json"), "rb") as f:
                meta = json.loads(f.read())
            with open(os.path.join(self.spool, name), "rb") as f:
                meta["raw"] = f.read()
            meta["name"] = stem
            out.append(meta)
        return out

    def count(self):
        if not os.path.isdir(self.spool):
            return 0
        return sum(1 for n in os.listdir(self.spool) if n.endswith(".eml") and n[0] != ".")

    def wait_for_count(self, n, timeout=IO_TIMEOUT):
        poll(lambda: self.count() >= n, timeout, what=f"{n} messages at the capture gateway")
        return self.messages()


class FakeSmsApi(ServerProcess):
    """tools/fake-sms-api on a free loopback port with a certificate from its own test CA:
    the daemon's SMS API (upstream = sms_api). Each instance has its own auth token, so a
    test can look for it where it must never be."""

    instances = 0
    SENDER = "+15005550006"

    def __init__(self, workdir, host="127.0.0.1"):
        FakeSmsApi.instances += 1
        self.dir = os.path.join(workdir, f"fake-sms-api-{FakeSmsApi.instances}")
        os.makedirs(self.dir)
        self.cert, self.key, self.ca = make_certificate(os.path.join(self.dir, "certs"))
        self.host = host
        self.account_sid = "AC" + secrets.token_hex(16)
        self.auth_token = "tok" + secrets.token_hex(16)
        self.port = None
        self.port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "fake-sms-api.log")
        self.record_path = os.path.join(self.dir, "requests.jsonl")
        self.args = [PYTHON, FAKE_SMS_API, "--listen", host, "--port", "0",
                     "--port-file", self.port_file, "--cert", self.cert, "--key", self.key,
                     "--dir", self.dir, "--account-sid", self.account_sid,
                     "--auth-token", self.auth_token, "--record", self.record_path]
        # The certificate names the loopback addresses, not the control name.
        self.context = ssl.create_default_context(cafile=self.ca)
        self.context.check_hostname = False
        self.proc = None

    def start(self):
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        poll(self._ready, READY_TIMEOUT, what="the fake SMS API")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"fake-sms-api exited with {self.proc.returncode}: "
                                 f"{self.log()}")
        with open(self.port_file) as f:
            self.port = int(f.read())
        return self.call("GET", "/_control") is not None

    @property
    def url(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    @property
    def messages_path(self):
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def call(self, method, path, data=None, headers=None, timeout=IO_TIMEOUT):
        """One HTTPS request, verified against the test CA: (status, headers, parsed body).
        It names the fake's control name in SNI, so it is never held in the handshake."""
        conn = _ControlConnection(self.host, self.port, self.context, timeout)
        try:
            conn.request(method, path, body=data, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.headers, _json_or_text(r.read())
        finally:
            conn.close()

    def control(self, **change):
        """Changes how the fake answers (see tools/fake-sms-api --help); returns its state."""
        status, _, state = self.call("POST", "/_control", json.dumps(change).encode(),
                                     {"Content-Type": "application/json"})
        if status != 200:
            raise AssertionError(f"fake-sms-api refused control {change}: {status} {state}")
        return state

    def requests(self):
        """The message requests so far, oldest first (see tools/fake-sms-api)."""
        return self.call("GET", "/_requests")[2]

    def wait_for_requests(self, n, timeout=IO_TIMEOUT):
        return poll(lambda: len(self.requests()) >= n and self.requests(), timeout,
                    what=f"{n} requests at the fake SMS API")

    def credentials_file(self, name="credentials", mode=0o600, auth_token=None):
        """A credentials file for the daemon, with this fake's account (or a wrong token)."""
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(f"# written by tests/integration/harness.py\n"
                    f"account_sid={self.account_sid}\n"
                    f"auth_token={auth_token or self.auth_token}\n")
        os.chmod(path, mode)
        return path

    def daemon_config(self, **overrides):
        """The daemon keys that make this fake its upstream; an override of None leaves
        that key out."""
        values = {
            "upstream": "sms_api",
            "sms_api_url": self.url,
            "sms_api_credentials_file": self.credentials_file(),
            "sms_api_from": self.SENDER,
            "sms_api_ca_file": self.ca,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}


class _ControlConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, context, timeout):
        super().__init__(host, port, timeout=timeout, context=context)

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname="control.fake-sms-api")


def _json_or_text(data):
    try:
        return json.loads(data)
    except ValueError:
        return data.decode(errors="replace")


class Daemon:
    """The daemon under test on a free loopback port, with its config in a file."""

    def __init__(self, workdir, gateway_port, config=None, args=(), listen_host="127.0.0.1"):
        self.workdir = workdir
        self.config_path = os.path.join(workdir, "textscreen.conf")
        self.log_path = os.path.join(workdir, "textscreen.log")
        self.state_dir = os.path.join(workdir, "state")
        os.makedirs(self.state_dir, exist_ok=True)
        self.listen_host = listen_host
        self.port = None
        self.values = {
            "hostname": HOSTNAME,
            "gateway": f"127.0.0.1:{gateway_port}",
            "gateway_domain": GATEWAY_DOMAIN,
            "default_region": "US",
            "postmaster_address": POSTMASTER,
            "state_dir": self.state_dir,
            "shutdown_timeout": "5s",
            "log": "stderr",
            # Never the system resolver: tests send no traffic off this machine. A port
            # nobody listens on answers every query with "connection refused" at once.
            "dns_servers": f"127.0.0.1:{free_port()}",
        }
        self.values.update(config or {})
        self.args = list(args)
        # A command the daemon is started through, e.g. setpriv to run it as another user.
        self.launcher = []
        self.proc = None
        self.log_file = None
        self.checked = False

    @property
    def max_stop_wait(self):
        return STOP_TIMEOUT + 10

    def write_config(self, values=None, extra_lines=()):
        values = self.values if values is None else values
        lines = ["# written by tests/integration/harness.py"]
        lines += [f"{k} = {v}" for k, v in values.items()]
        lines += list(extra_lines)
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.rename(tmp, self.config_path)

    def start(self, attempts=3):
        for attempt in range(attempts):
            self.port = free_port(self.listen_host)
            self.values["listen"] = f"{self.listen_host}:{self.port}"
            self.write_config()
            self.log_file = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                self.launcher + [TEXTSCREEN_BIN, "--config", self.config_path] + self.args,
                stdout=self.log_file, stderr=self.log_file, stdin=subprocess.DEVNULL)
            try:
                poll(self._ready, READY_TIMEOUT, what=f"textscreen banner on port {self.port}")
                return self
            except _EarlyExit:
                self.log_file.close()
                self.check_sanitizers()
                if "in use" in self.log() and attempt + 1 < attempts:
                    continue  # the free port was taken between probe and bind: try another
                raise AssertionError(f"textscreen exited with {self.proc.returncode} at start; "
                                     f"log:\n{self.log()}")
        raise AssertionError("textscreen did not start")

    def _ready(self):
        if self.proc.poll() is not None:
            raise _EarlyExit()
        with socket.create_connection((self.listen_host, self.port), timeout=2) as s:
            s.settimeout(10 * SLOW)
            data = b""
            while b"\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    return False
                data += chunk
            if not data.startswith(b"220"):
                return False
            s.sendall(b"QUIT\r\n")
            # Wait for the close, so the probe no longer counts against connection limits.
            try:
                while s.recv(4096):
                    pass
            except OSError:
                pass
            return True

    def client(self, source=None, timeout=IO_TIMEOUT, banner=True):
        c = SmtpClient(self.port, host=self.listen_host, source=source, timeout=timeout)
        if banner:
            b = c.banner()
            if b.code != 220:
                c.close()
                raise SmtpError(f"banner was {b!r}")
        return c

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def check_sanitizers(self):
        text = self.log()
        for marker in SANITIZER_MARKERS:
            if marker in text:
                raise AssertionError(f"textscreen log contains '{marker}':\n{text[-8000:]}")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=None):
        """Waits for the process to end and checks exit code 0 and a clean sanitizer log."""
        timeout = timeout or self.max_stop_wait
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
            self.log_file.close()
            raise AssertionError(f"textscreen did not exit within {timeout:.0f}s of SIGTERM; "
                                 f"log tail:\n{self.log()[-4000:]}")
        self.log_file.close()
        self.checked = True
        self.check_sanitizers()
        if rc != 0:
            raise AssertionError(f"textscreen exited with {rc}; log tail:\n{self.log()[-4000:]}")
        return rc

    def stop(self):
        if self.proc is None or self.checked:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.wait_exit()

    def run_cli(self, *args, timeout=60):
        """Runs the binary with args (e.g. --check-config), returns (rc, stdout+stderr)."""
        p = subprocess.run([TEXTSCREEN_BIN] + list(args), capture_output=True,
                           timeout=timeout * SLOW, stdin=subprocess.DEVNULL)
        out = (p.stdout + p.stderr).decode(errors="replace")
        for marker in SANITIZER_MARKERS:
            if marker in out:
                raise AssertionError(f"output of {args} contains '{marker}':\n{out}")
        return p.returncode, out


    def ctl(self, *args, timeout=60, stdin=None):
        """Runs textscreenctl with this daemon's config file; returns (rc, stdout, stderr)."""
        p = subprocess.run([TEXTSCREENCTL_BIN, "--config", self.config_path] + list(args),
                           capture_output=True, timeout=timeout * SLOW,
                           input=stdin.encode() if isinstance(stdin, str) else stdin,
                           stdin=None if stdin is not None else subprocess.DEVNULL)
        out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
        for marker in SANITIZER_MARKERS:
            if marker in err:
                raise AssertionError(f"textscreenctl {args} stderr contains '{marker}':\n{err}")
        return p.returncode, out, err


class _EarlyExit(Exception):
    pass


class IntegrationTest(unittest.TestCase):
    """Base class: a temporary dir, a capture gateway and the daemon per test."""

    gateway_options = {}
    daemon_config = {}
    start_daemon = True

    def setUp(self):
        if not os.access(TEXTSCREEN_BIN, os.X_OK):
            self.fail(f"TEXTSCREEN_BIN={TEXTSCREEN_BIN} is not an executable; build first")
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        self.workdir = tmp.path
        self.gateway = None
        self.daemon = None
        self.maxDiff = None
        if self.start_daemon:
            self.gateway = self.start_gateway(**self.gateway_options)
            self.daemon = self.start_textscreen(self.gateway.port, self.daemon_config)

    def start_gateway(self, **options):
        gw = CaptureGateway(self.workdir, **options)
        self.addCleanup(gw.stop)
        return gw.start()

    def start_textscreen(self, gateway_port, config=None, args=()):
        d = Daemon(self.workdir, gateway_port, config, args)
        # Cleanups run last-in first-out: clients registered later are closed before this.
        self.addCleanup(d.stop)
        return d.start()

    def client(self, source=None, daemon=None, **kw):
        c = (daemon or self.daemon).client(source=source, **kw)
        self.addCleanup(c.close)
        return c

    # --- assertions -------------------------------------------------------------------

    def assertReply(self, reply, code, enhanced=None, ref=False, client=None, msg=""):
        where = f"\n  transcript:{client.dump()}" if client else ""
        self.assertEqual(reply.code, code,
                         f"expected {code} {enhanced or ''}, got {reply!r} {msg}{where}")
        if enhanced:
            self.assertEqual(reply.enhanced, enhanced,
                             f"expected enhanced code {enhanced}, got {reply!r} {msg}{where}")
        if ref:
            self.assertRegex(reply.lines[0], r"^[245]\.\d{1,3}\.\d{1,3} \[ts-[0-9a-z]{13}\]",
                             f"reply lacks '[ts-...]' right after the enhanced code: "
                             f"{reply!r} {msg}{where}")

    def assertClass(self, reply, klass, client=None, msg=""):
        where = f"\n  transcript:{client.dump()}" if client else ""
        self.assertEqual(reply.code // 100, klass,
                         f"expected a {klass}xx reply, got {reply!r} {msg}{where}")

    def transaction(self, c, sender="sender@example.org", recipients=(), message=None,
                    expect_rcpt=None):
        """MAIL, RCPTs (each expected 250 unless expect_rcpt says otherwise), DATA, message.
        Returns the end-of-data reply."""
        r = c.cmd(f"MAIL FROM:<{sender}>")
        self.assertReply(r, 250, "2.1.0", ref=True, client=c)
        for i, to in enumerate(recipients):
            r = c.cmd(f"RCPT TO:<{to}>")
            want = expect_rcpt[i] if expect_rcpt else (250, "2.1.5")
            self.assertReply(r, want[0], want[1], ref=True, client=c, msg=f"for RCPT {to}")
        r = c.cmd("DATA")
        self.assertReply(r, 354, client=c)
        return c.send_message(message or make_message("t"))

    def lookup_after_rset(self, c, ref):
        """lookup's text once the transaction has ended (RSET) and its record is written."""
        self.assertReply(c.cmd("RSET"), 250, client=c)

        def found():
            rc, out, _ = self.daemon.ctl("lookup", ref)
            return out if rc == 0 else None
        return poll(found, 10 * SLOW, what=f"the decision record of {ref}")

    def stored_tokens(self, gateway=None):
        gw = gateway or self.gateway
        tokens = []
        for m in gw.messages():
            tokens += re.findall(rb"(?im)^Message-ID: <([^@>]+)@", m["raw"])
        return [t.decode() for t in tokens]


def split_headers(raw):
    head, sep, body = raw.partition(b"\r\n\r\n")
    return head, body


def top_header(raw):
    """The first header field (unfolded) of raw as (name, value)."""
    head, _ = split_headers(raw)
    lines = head.split(b"\r\n")
    first = lines[0]
    for l in lines[1:]:
        if l[:1] in (b" ", b"\t"):
            first += b" " + l.strip()
        else:
            break
    name, _, value = first.partition(b":")
    return name.decode(errors="replace"), value.decode(errors="replace").strip()


def main():
    unittest.main(verbosity=2)
