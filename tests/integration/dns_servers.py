#!/usr/bin/python3
# DNS servers for the end-to-end tests, started on free loopback ports: unbound serving
# local zones (the real DNS data: PTR, A, DNS lists, TXT), and tests/dns/dns_stub.py
# where a fault must be staged (SERVFAIL, a slow answer). Both are polled until they
# answer a query; neither ever forwards a query off this machine.
import json
import os
import socket
import subprocess

from dnslib import DNSRecord

import harness

DNS_STUB = os.path.join(harness.SOURCE_DIR, "tests", "dns", "dns_stub.py")


def free_udp_and_tcp_port():
    for _ in range(50):
        port = harness.free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port for a DNS server")


def query(port, name, qtype="A", timeout=2.0):
    """One UDP query; returns the parsed reply (raises on timeout)."""
    q = DNSRecord.question(name, qtype)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(q.pack(), ("127.0.0.1", port))
        return DNSRecord.parse(s.recv(65535))


def txt_strings(text):
    """A long TXT value as zone-file character-strings of at most 255 bytes each."""
    chunks = [text[i:i + 255] for i in range(0, len(text), 255)]
    return " ".join('"' + c.replace('"', '\\"') + '"' for c in chunks)


class _Process(harness.ServerProcess):
    @property
    def address(self):
        return f"127.0.0.1:{self.port}"


class Unbound(_Process):
    """unbound with static local zones: zones is a list of zone names, records a list of
    RRs in zone-file syntax (absolute names)."""

    def __init__(self, workdir, zones, records):
        self.workdir = os.path.join(workdir, f"unbound-{len(os.listdir(workdir))}")
        os.makedirs(self.workdir, exist_ok=True)
        self.port = free_udp_and_tcp_port()
        self.log_path = os.path.join(self.workdir, "unbound.log")
        lines = [
            "server:",
            f"  interface: 127.0.0.1@{self.port}",
            f"  port: {self.port}",
            "  do-daemonize: no",
            '  username: ""',
            '  chroot: ""',
            f'  directory: "{self.workdir}"',
            '  pidfile: ""',
            "  use-syslog: no",
            '  logfile: ""',
            "  verbosity: 1",
            "  do-ip6: no",
            "  access-control: 127.0.0.0/8 allow",
            '  module-config: "iterator"',
            "  do-not-query-localhost: yes",
            # Every name without local data is NXDOMAIN: nothing is ever recursed for.
            '  local-zone: "." static',
        ]
        for z in zones:
            lines.append(f'  local-zone: "{z.rstrip(".")}." static')
        for rr in records:
            # Single quotes, so TXT character-strings keep their double quotes.
            lines.append(f"  local-data: '{rr}'")
        lines += ["remote-control:", "  control-enable: no"]
        self.config_path = os.path.join(self.workdir, "unbound.conf")
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None

    def start(self):
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(["unbound", "-d", "-c", self.config_path],
                                     stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        harness.poll(self._ready, harness.READY_TIMEOUT, what=f"unbound on port {self.port}")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"unbound exited with {self.proc.returncode}: {self.log()}")
        try:
            query(self.port, "ready.invalid", timeout=0.5)
        except socket.timeout:
            return False
        return True


class DnsStub(_Process):
    """tests/dns/dns_stub.py with the given arguments (--zone, --servfail, --delay)."""

    def __init__(self, workdir, args):
        self.args = list(args)
        self.log_path = os.path.join(workdir, f"dns-stub-{len(os.listdir(workdir))}.log")
        self.port = None
        self.proc = None

    def start(self):
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen([harness.PYTHON, DNS_STUB, "--port", "0"] + self.args,
                                     stdout=subprocess.PIPE, stderr=self.log_file,
                                     stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("READY"):
            raise AssertionError(f"dns stub did not start: {line!r} {self.log()}")
        self.port = int(line.split()[1])
        return self


class UnboundTest(harness.IntegrationTest):
    """One unbound per test class serving zones and records(); each test gets its own
    gateway and daemon pointing at it, with every client screened (trusted_networks
    none) and speaking from its own loopback address."""

    start_daemon = False
    zones = []
    config = {}

    @classmethod
    def records(cls):
        return []

    @classmethod
    def setUpClass(cls):
        cls.dns_dir = harness.TempDir(prefix="textscreen-dns-")
        cls.prepare(cls.dns_dir.path)
        cls.unbound = Unbound(cls.dns_dir.path, cls.zones, cls.records()).start()

    @classmethod
    def prepare(cls, workdir):
        """Makes what records() needs (keys) before the server starts."""

    @classmethod
    def tearDownClass(cls):
        cls.unbound.stop()
        cls.dns_dir.cleanup()

    def setUp(self):
        super().setUp()
        self.gateway = self.start_gateway()
        values = {"trusted_networks": "none", "dns_servers": self.unbound.address}
        values.update(self.config)
        self.daemon = self.start_textscreen(self.gateway.port, values)

    def rcpt_reply(self, source, to=None, helo="mail.test", sender="alerts@sender.test"):
        c = self.client(source=source)
        c.ehlo(helo)
        self.assertReply(c.cmd(f"MAIL FROM:<{sender}>"), 250, "2.1.0", client=c)
        return c, c.cmd(f"RCPT TO:<{to or harness.rcpt(harness.NUMBERS[0])}>")

    def relay(self, c, token, message=None):
        self.assertReply(c.cmd("DATA"), 354, client=c)
        r = c.send_message(message or harness.make_message(token))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        return r

    def status(self):
        rc, out, err = self.daemon.ctl("status", "--json")
        self.assertEqual(rc, 0, err)
        return json.loads(out)
