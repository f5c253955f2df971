#!/usr/bin/python3
"""Slowloris bench: how long a real client waits while thousands of connections trickle.

Starts the capture gateway (tools/capture_gateway.py) and textscreen in front of it, then
measures CLIENTS real clients one after the other (connect -> banner, connect -> the 250
after the message's dot) three times: with no other load (the baseline), while TRICKLERS
connections each send one byte a second of a command line they never finish, and after
them. The tricklers run in a child process of this script (--trickle), so their send loop
does not hold up the measuring client. Prints median/p95/max of each and whether the 1 s
target of issue 9 (every real client served within 1 s under the attack) is met.

With --port the server is not started: any SMTP server on 127.0.0.1:PORT that relays to
--rcpt is measured (bench/load/slowloris.sh uses this for the Postfix peer).

Run it through bench/load/slowloris.sh, which installs, builds and raises the fd limit.
"""

import argparse
import os
import resource
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURE_GATEWAY = os.path.join(ROOT, "tools", "capture_gateway.py")
# The trickler is the suite's (tests/integration/test_slowloris.py), so both attack alike.
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from trickler import ADDRESSES_PER_NETWORK, PER_ADDRESS, Trickler  # noqa: E402
GATEWAY_DOMAIN = "sms.example.net"
RCPT = f"14155551212@{GATEWAY_DOMAIN}"
SENDER = "alerts@bench.test"
CONNECT_BATCH = 500  # connects waiting for their banner at once: below the listen backlog
READY_TIMEOUT = 30.0
GREET_TIMEOUT = 300.0  # all tricklers greeted
CLIENT_TIMEOUT = 30.0  # one real client's whole transaction
TARGET = 1.0  # issue 9: a real client served within 1 s under the attack


def log(msg):
    sys.stderr.write(f"slowloris.py: {msg}\n")
    sys.stderr.flush()


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < need:
        sys.exit(f"slowloris.py: the hard open-file limit ({hard}) is below {need}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))


def wait_banner(port, proc=None, timeout=READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(4).startswith(b"220"):
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def free_port():
    """Below the ephemeral range, so the tricklers' own connects cannot take it."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low = int(f.read().split()[0])
    for port in range(10000 + os.getpid() % 1000, low, 97):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit("slowloris.py: no free port")


# ---- the tricklers (child process) --------------------------------------------------------


def run_tricklers(port, count, hold):
    """Opens COUNT tricklers, prints 'ready', trickles until stdin closes (at most HOLD s),
    then prints 'open N closed M min_sent S' and exits."""
    raise_fd_limit(count + 100)
    sel = selectors.DefaultSelector()
    sel.register(sys.stdin, selectors.EVENT_READ, None)
    tricklers = []
    started = time.monotonic()
    ready = False
    end = started + hold
    # One byte a second each, spread evenly over the second as independent attackers'
    # would be: by time t since the greeting, t * count sends are due.
    trickle_start, cursor, sends = None, 0, 0
    while time.monotonic() < end:
        if not ready:
            waiting = sum(1 for t in tricklers if not t.greeted and not t.closed)
            while waiting < CONNECT_BATCH and len(tricklers) < count:
                t = Trickler(len(tricklers), port)
                tricklers.append(t)
                sel.register(t.sock, selectors.EVENT_READ, t)
                waiting += 1
            if len(tricklers) == count and all(t.greeted or t.closed for t in tricklers):
                ready = True
                trickle_start = time.monotonic()
                greeted = sum(1 for t in tricklers if t.greeted and not t.closed)
                refused = sum(1 for t in tricklers if t.closed and t.received)
                print(f"ready {greeted} {trickle_start - started:.1f} {refused}", flush=True)
            elif time.monotonic() - started > GREET_TIMEOUT:
                print(f"timeout {sum(t.greeted for t in tricklers)}", flush=True)
                return
        for key, _ in sel.select(timeout=0.01):
            if key.data is None:
                if not os.read(sys.stdin.fileno(), 64):
                    end = 0  # the parent is done
                continue
            key.data.read()
            if key.data.closed:
                sel.unregister(key.data.sock)
        if ready:
            due = min(int((time.monotonic() - trickle_start) * count) - sends, count)
            for _ in range(max(0, due)):
                tricklers[cursor].trickle()
                cursor = (cursor + 1) % count
            sends += max(0, due)
            sends = max(sends, int((time.monotonic() - trickle_start) * count) - count)
    still_open = sum(1 for t in tricklers if not t.closed)
    min_sent = min((t.sent for t in tricklers), default=0)
    print(f"open {still_open} closed {len(tricklers) - still_open} min_sent {min_sent}",
          flush=True)
    for t in tricklers:
        t.sock.close()


# ---- the real clients ------------------------------------------------------------------------


class Reply:
    def __init__(self, code, text):
        self.code = code
        self.text = text


class Client:
    def __init__(self, port, source, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def reply(self):
        lines = []
        while True:
            while b"\r\n" not in self.buffer:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise ConnectionError(f"closed after {lines!r}")
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            lines.append(line.decode(errors="replace"))
            if len(line) < 4 or line[3:4] != b"-":
                return Reply(int(line[:3]), lines[0])

    def cmd(self, line, want):
        self.sock.sendall(line.encode() + b"\r\n")
        r = self.reply()
        if r.code != want:
            raise RuntimeError(f"{line.split(':')[0]}: {r.text}")
        return r

    def close(self):
        self.sock.close()


def message(token):
    lines = [f"From: Alerts <{SENDER}>", f"To: <{RCPT}>", f"Subject: bench {token}",
             f"Message-ID: <{token}@bench.test>",
             time.strftime("Date: %a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
             "", f"Your code is {token}. This is a slowloris bench message.", ".", ""]
    return "\r\n".join(lines).encode()


def transaction(port, source, rcpt, token):
    """Seconds from connect to the banner and to the 250 after the dot."""
    t0 = time.monotonic()
    c = Client(port, source, CLIENT_TIMEOUT)
    try:
        if c.reply().code != 220:
            raise RuntimeError("no 220 banner")
        banner = time.monotonic() - t0
        c.cmd("EHLO client.bench.test", 250)
        c.cmd(f"MAIL FROM:<{SENDER}>", 250)
        c.cmd(f"RCPT TO:<{rcpt}>", 250)
        c.cmd("DATA", 354)
        c.sock.sendall(message(token))
        r = c.reply()
        if r.code != 250:
            raise RuntimeError(f"end of data: {r.text}")
        served = time.monotonic() - t0
        c.sock.sendall(b"QUIT\r\n")
        return banner, served
    finally:
        c.close()


def measure(args, label):
    banners, served, failures = [], [], []
    for i in range(args.clients):
        if i:
            # Paced, not back to back: the clients meet the tricklers' bytes at every phase.
            time.sleep(args.interval)
        try:
            b, s = transaction(args.port, args.client_source, args.rcpt, f"{label}-{i}")
            banners.append(b)
            served.append(s)
        except (OSError, RuntimeError, ValueError) as e:
            failures.append(str(e))
    return banners, served, failures


def p95(values):
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def row(label, values):
    if not values:
        return f"  {label:<28} (none)"
    ms = [v * 1000 for v in values]
    return (f"  {label:<28} median {statistics.median(ms):8.1f}  p95 {p95(ms):8.1f}"
            f"  max {max(ms):8.1f} ms")


# ---- textscreen and its gateway ----------------------------------------------------------


def start_textscreen(args, work):
    gateway_port = free_port()
    gateway_log = open(os.path.join(work, "gateway.log"), "wb")
    gateway = subprocess.Popen(
        ["/usr/bin/python3", CAPTURE_GATEWAY, "--listen", f"127.0.0.1:{gateway_port}",
         "--spool", os.path.join(work, "spool")],
        stdout=gateway_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if not wait_banner(gateway_port, gateway):
        sys.exit(f"slowloris.py: the capture gateway did not start; see {work}/gateway.log")
    args.port = free_port()
    state = os.path.join(work, "state")
    os.makedirs(state)
    config = {
        "listen": f"127.0.0.1:{args.port}",
        "hostname": "textscreen.bench.invalid",
        "gateway": f"127.0.0.1:{gateway_port}",
        "gateway_domain": GATEWAY_DOMAIN,
        "default_region": "US",
        "postmaster_address": "postmaster@carrier.example",
        "state_dir": state,
        "log": "stderr",
        # A port nobody listens on: every DNS query is refused at once, nothing leaves
        # the machine. The tricklers are screened as outsiders; the real clients come
        # from 127.0.0.1, a trusted network, as in tests/integration/test_slowloris.py.
        "dns_servers": f"127.0.0.1:{free_port()}",
        "trusted_networks": "127.0.0.1/32",
        "max_connections": str(args.tricklers + 1000),
        "max_connections_per_ip": str(2 * PER_ADDRESS),
        "max_connections_per_network": str(2 * PER_ADDRESS * ADDRESSES_PER_NETWORK),
        # The default (300 s) is longer than the run: every trickler stays open throughout.
        "command_timeout": "300s",
    }
    path = os.path.join(work, "textscreen.conf")
    with open(path, "w") as f:
        f.write("# written by bench/load/slowloris.py\n")
        f.writelines(f"{k} = {v}\n" for k, v in config.items())
    ts_log = open(os.path.join(work, "textscreen.log"), "wb")
    daemon = subprocess.Popen([args.textscreen, "--config", path], stdout=ts_log,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if not wait_banner(args.port, daemon):
        sys.exit(f"slowloris.py: textscreen did not start; see {work}/textscreen.log")
    return [daemon, gateway]


def stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def spool_count(work):
    spool = os.path.join(work, "spool")
    return sum(1 for n in os.listdir(spool) if n.endswith(".eml")) if os.path.isdir(spool) else 0


# ---- the run -------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--textscreen", help="the daemon binary (started here)")
    parser.add_argument("--port", type=int, help="measure a server already on this port")
    parser.add_argument("--name", default="textscreen", help="the server's name in the output")
    parser.add_argument("--rcpt", default=RCPT)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--tricklers", type=int, default=5000)
    parser.add_argument("--client-source", default="127.0.0.1")
    parser.add_argument("--interval", type=float, default=0.37,
                        help="seconds between two real clients (not a divisor of 1 s)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds of trickling before the first real client")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--trickle", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hold", type=float, default=900.0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.trickle:
        run_tricklers(args.port, args.tricklers, args.hold)
        return 0
    if (args.textscreen is None) == (args.port is None):
        parser.error("give --textscreen BIN or --port PORT")

    raise_fd_limit(args.tricklers + 1500)  # inherited by textscreen
    work = tempfile.mkdtemp(prefix="textscreen-slowloris-")
    procs = start_textscreen(args, work) if args.textscreen else []
    trickle = None
    try:
        warm = argparse.Namespace(**vars(args))
        warm.interval = 0
        measure(warm, "warm")  # not counted: the gateway connection pool, first-use costs
        base_banner, base_served, base_failed = measure(args, "base")

        started = time.monotonic()
        trickle = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--trickle", "--port", str(args.port),
             "--tricklers", str(args.tricklers)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = trickle.stdout.readline().split()
        if not ready or ready[0] != "ready":
            sys.exit(f"slowloris.py: the tricklers did not get their banners: {ready}")
        greeted, greet_seconds, refused = int(ready[1]), float(ready[2]), int(ready[3])
        time.sleep(args.settle)  # the fixed lead-in of the run, not a wait for a server
        attack_banner, attack_served, attack_failed = measure(args, "attack")
        attack_seconds = time.monotonic() - started
        trickle.stdin.close()
        end = trickle.stdout.readline().split()
        trickle.wait(timeout=60)
        still_open = int(end[1]) if len(end) >= 6 else -1
        min_sent = int(end[5]) if len(end) >= 6 else -1
        # The same again once the tricklers are gone: the baseline's drift over the run.
        after_banner, after_served, after_failed = measure(args, "after")
        alive = all(p.poll() is None for p in procs)
        delivered = spool_count(work)
    finally:
        if trickle is not None and trickle.poll() is None:
            trickle.kill()
            trickle.wait()
        stop(procs)

    n = args.clients
    print(f"slowloris.py: {args.name} on 127.0.0.1:{args.port}, {os.cpu_count()} cpus, "
          f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"  {greeted} of {args.tricklers} tricklers greeted in {greet_seconds:.1f} s "
          f"({refused} refused with a reply), {still_open} still open after the real clients "
          f"({attack_seconds:.0f} s), "
          f"each sent at least {min_sent} bytes (one a second, no CRLF)")
    print(f"  {n} real clients one after the other from {args.client_source}: "
          f"{args.interval} s apart: connect -> banner, connect -> 250 after the dot")
    print(row("baseline banner", base_banner))
    print(row("baseline served", base_served))
    print(row(f"{args.tricklers} tricklers banner", attack_banner))
    print(row(f"{args.tricklers} tricklers served", attack_served))
    print(row("after them, banner", after_banner))
    print(row("after them, served", after_served))
    if base_served and attack_served:
        print(f"  ratio under attack / baseline: median "
              f"{statistics.median(attack_served) / statistics.median(base_served):.2f}, "
              f"max {max(attack_served) / max(base_served):.2f}")
    for label, failed in (("baseline", base_failed), ("attack", attack_failed),
                          ("after", after_failed)):
        for f in failed[:3]:
            print(f"  {label} failure: {f}")
    if args.textscreen:
        print(f"  gateway received {delivered} messages (expected {4 * n}); textscreen "
              f"{'alive' if alive else 'EXITED'} at the end")
    met = (not attack_failed and len(attack_served) == n and still_open == args.tricklers
           and max(attack_served) <= TARGET)
    print(f"  target (every real client served within {TARGET:.0f} s while "
          f"{args.tricklers} connections trickle): {'met' if met else 'NOT met'}"
          f"{'' if not attack_served else f' (max {max(attack_served) * 1000:.0f} ms)'}")
    if args.keep:
        print(f"  work directory kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
