#!/usr/bin/python3
# The Prometheus endpoint (metrics_listen) against the real daemon: off by default, only
# on loopback unless metrics_allow_remote, 404 off /metrics, well-formed text; after a
# relay, a reject and a tempfail the counters move by exactly one each; SIGHUP keeps,
# moves or closes the endpoint.
import http.client
import os
import re
import signal
import socket
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (GATEWAY_DOMAIN, NUMBERS, IntegrationTest, free_port,  # noqa: E402
                     make_message, rcpt)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE_RE = re.compile(rf"^({NAME})(?:\{{(.*)\}})? (\S+)$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
HELP_RE = re.compile(rf"^# HELP ({NAME}) (.*)$")
TYPE_RE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram)$")


def http_get(port, path="/metrics", method="GET"):
    """(status, content type, body) of one request to the endpoint."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=harness.IO_TIMEOUT)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read().decode()
    finally:
        conn.close()


def refuses_connections(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def parse_labels(text):
    labels = {}
    pos = 0
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        if not m:
            raise AssertionError(f"bad label set {{{text}}} at {pos}")
        labels[m.group(1)] = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1),
                                    m.group(2))
        pos = m.end()
    return labels


class Scrape:
    """One exposition text, parsed and checked against the format: HELP then TYPE for each
    family once, every sample under its family's TYPE, every name with textscreen_."""

    def __init__(self, test, text):
        self.samples = {}  # (name, frozenset of label items) -> float
        self.types = {}
        family = None
        help_seen = set()
        for line in text.splitlines():
            m = HELP_RE.match(line)
            if m:
                test.assertNotIn(m.group(1), help_seen, f"second HELP for {m.group(1)}")
                help_seen.add(m.group(1))
                continue
            m = TYPE_RE.match(line)
            if m:
                test.assertIn(m.group(1), help_seen, f"TYPE before HELP: {line}")
                test.assertNotIn(m.group(1), self.types, f"family {m.group(1)} twice")
                family, self.types[family] = m.group(1), m.group(2)
                test.assertTrue(family.startswith("textscreen_"), line)
                continue
            m = SAMPLE_RE.match(line)
            test.assertIsNotNone(m, f"not a sample line: {line!r}")
            name, labels, value = m.group(1), parse_labels(m.group(2) or ""), float(m.group(3))
            allowed = {family}
            if self.types.get(family) == "histogram":
                allowed = {family + s for s in ("_bucket", "_sum", "_count")}
            test.assertIn(name, allowed, f"sample outside its family {family}: {line}")
            key = (name, frozenset(labels.items()))
            test.assertNotIn(key, self.samples, f"sample twice: {line}")
            self.samples[key] = value

    def get(self, name, **labels):
        return self.samples.get(("textscreen_" + name, frozenset(labels.items())), 0.0)

    def sum(self, name, **labels):
        """The sum over every series of name whose labels include the given ones."""
        want = set(labels.items())
        return sum(v for (n, l), v in self.samples.items()
                   if n == "textscreen_" + name and want <= set(l))

    def histograms(self, family):
        """{labels without le: [(le, cumulative count)...], with _sum and _count}."""
        out = {}
        for (name, labels), value in self.samples.items():
            if not name.startswith("textscreen_" + family):
                continue
            d = dict(labels)
            le = d.pop("le", None)
            series = out.setdefault(frozenset(d.items()), {"buckets": []})
            if name.endswith("_bucket"):
                series["buckets"].append((float(le), value))
            elif name.endswith("_sum"):
                series["sum"] = value
            elif name.endswith("_count"):
                series["count"] = value
        return out


class MetricsTest(IntegrationTest):
    """Untrusted loopback clients (so the checks run) and at most one message per number
    per hour (so a second one is tempfailed by rate_recipient)."""

    start_daemon = False

    def setUp(self):
        super().setUp()
        self.gateway = self.start_gateway()
        self.metrics_port = free_port()
        self.daemon = self.start_textscreen(self.gateway.port, {
            "trusted_networks": "none",
            "rate_recipient_limit": "1",
            "metrics_listen": f"127.0.0.1:{self.metrics_port}",
        })

    def refused_recipient(self, address, code, enhanced):
        """One transaction whose RCPT is refused; the scrape after it has been recorded."""
        with self.daemon.client() as c:
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", client=c)
            self.assertReply(c.cmd(f"RCPT TO:<{address}>"), code, enhanced, client=c)
            self.assertReply(c.cmd("RSET"), 250, client=c)
            scraped = self.scrape()
            c.cmd("QUIT")
        return scraped

    def scrape(self, port=None):
        status, ctype, body = http_get(port or self.metrics_port)
        self.assertEqual(status, 200, body)
        self.assertEqual(ctype, CONTENT_TYPE)
        return Scrape(self, body)

    def assertMoved(self, before, after, expected, what):
        """Each decisions_total series moved by exactly the expected amount, none other."""
        keys = {k for k in list(before.samples) + list(after.samples)
                if k[0] == "textscreen_decisions_total"}
        moved = {}
        for name, labels in keys:
            delta = after.samples.get((name, labels), 0) - before.samples.get((name, labels), 0)
            if delta:
                d = dict(labels)
                moved[(d["action"], d["cause"])] = delta
        self.assertEqual(moved, expected, f"decisions_total after {what}")

    def assertHistogramsWellFormed(self, scrape):
        series = scrape.histograms("check_duration_seconds")
        self.assertEqual(scrape.types.get("textscreen_check_duration_seconds"), "histogram")
        for labels, h in series.items():
            les = [le for le, _ in h["buckets"]]
            counts = [c for _, c in sorted(h["buckets"])]
            self.assertIn(float("inf"), les, f"{labels}: no +Inf bucket")
            self.assertEqual(sorted(les), sorted(set(les)), f"{labels}: a bound twice")
            self.assertEqual(counts, sorted(counts), f"{labels}: buckets not cumulative")
            self.assertEqual(counts[-1], h["count"], f"{labels}: +Inf bucket is not _count")
            self.assertGreaterEqual(h["sum"], 0.0)
        return series

    def test_counters_move_by_exactly_one(self):
        m0 = self.scrape()
        self.assertEqual(m0.get("config_generation"), 1)
        self.assertNotIn("textscreen_sms_api_requests_total", m0.types,
                         "SMS API figures in a daemon that never used the API")

        # A relay: 250 from the gateway, one decision relay/gateway.
        with self.daemon.client() as c:
            c.ehlo()
            token = "metrics-" + uuid.uuid4().hex
            r = self.transaction(c, recipients=[rcpt(NUMBERS[0])], message=make_message(token))
            self.assertReply(r, 250, "2.0.0", ref=True, client=c)
            m1 = self.scrape()
            c.cmd("QUIT")
        self.assertMoved(m0, m1, {("relay", "gateway"): 1}, "a relay")
        self.assertEqual(m1.get("connections_accepted_total") - m0.get("connections_accepted_total"),
                         1)
        self.assertEqual(m1.get("connections"), 1, "the client was still connected")
        self.assertEqual(m1.get("gateway_connections_opened_total")
                         - m0.get("gateway_connections_opened_total"), 1)
        self.assertEqual(m1.sum("gateway_connections"), 1, "one gateway connection, idle or in use")
        # The checks ran for the untrusted client, each timed.
        series = self.assertHistogramsWellFormed(m1)
        before = self.assertHistogramsWellFormed(m0)
        timed = sum(h["count"] for h in series.values())
        self.assertGreater(timed, sum(h["count"] for h in before.values()))
        rdns = series.get(frozenset({("check", "rdns")}))
        self.assertIsNotNone(rdns, f"no rdns latency among {list(series)}")
        self.assertEqual(rdns["count"], m1.get("check_runs_total", check="rdns"))

        # A reject: not a subscriber number (550 5.1.1), recorded when the transaction ends.
        m2 = self.refused_recipient(f"123@{GATEWAY_DOMAIN}", 550, "5.1.1")
        self.assertMoved(m1, m2, {("reject", "recipient"): 1}, "a refused recipient")

        # A tempfail: the number already had its one message this hour (450 4.7.1).
        m3 = self.refused_recipient(rcpt(NUMBERS[0]), 450, "4.7.1")
        self.assertMoved(m2, m3, {("tempfail", "rate_recipient"): 1}, "a rate-limited recipient")
        self.assertEqual(m3.get("check_outcomes_total", check="rate_recipient", outcome="fail")
                         - m2.get("check_outcomes_total", check="rate_recipient", outcome="fail"),
                         1)
        self.assertEqual(m3.get("connections_accepted_total")
                         - m0.get("connections_accepted_total"), 3)
        self.assertEqual(self.gateway.count(), 1)
        self.assertHistogramsWellFormed(m3)
        self.assertIn(("textscreen_uptime_seconds", frozenset()), m3.samples)
        self.assertEqual(m3.sum("connections_refused_total"), 0)

    def test_other_paths_and_methods(self):
        status, _, _ = http_get(self.metrics_port, "/")
        self.assertEqual(status, 404)
        status, _, _ = http_get(self.metrics_port, "/metrics/extra")
        self.assertEqual(status, 404)
        status, _, body = http_get(self.metrics_port, "/metrics?name=x")
        self.assertEqual(status, 200)
        self.assertIn("# TYPE textscreen_decisions_total counter", body)
        status, _, _ = http_get(self.metrics_port, "/metrics", method="POST")
        self.assertNotEqual(status, 200)
        # The endpoint is on its own port: SMTP goes on undisturbed.
        with self.daemon.client() as c:
            c.ehlo()

    def test_reload_keeps_moves_and_closes(self):
        first = self.metrics_port
        self.assertEqual(self.scrape(first).get("config_generation"), 1)
        # The same address: kept, still answering.
        self.reload(generation=2, port=first)
        # A new address: the old port is closed.
        second = free_port()
        self.daemon.values["metrics_listen"] = f"127.0.0.1:{second}"
        self.reload(generation=3, port=second)
        self.assertTrue(refuses_connections(first), "the old metrics port still listens")
        # An address that cannot be bound: the endpoint stays where it was.
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            self.daemon.values["metrics_listen"] = f"127.0.0.1:{taken.getsockname()[1]}"
            self.reload(generation=4, port=second)
        self.assertIn("state=kept", self.daemon.log())
        # Empty: off.
        self.daemon.values["metrics_listen"] = ""
        self.daemon.write_config()
        self.daemon.signal(signal.SIGHUP)
        harness.poll(lambda: refuses_connections(second), 10 * harness.SLOW,
                     what="the metrics endpoint to close")
        self.assertIn("state=closed", self.daemon.log())

    def reload(self, generation, port):
        self.daemon.write_config()
        self.daemon.signal(signal.SIGHUP)
        harness.poll(lambda: self.scrape(port).get("config_generation") == generation,
                     10 * harness.SLOW, what=f"generation {generation} on port {port}")


def listening_ports(pid):
    """The TCP ports the process listens on, from /proc (its sockets' inodes)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            m = re.match(r"socket:\[(\d+)\]", os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
        if m:
            inodes.add(m.group(1))
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


class MetricsConfigTest(IntegrationTest):
    start_daemon = False

    def test_off_by_default(self):
        gw = self.start_gateway()
        d = self.start_textscreen(gw.port)
        self.assertEqual(listening_ports(d.proc.pid), {d.port})
        rc, out = d.run_cli("--help")
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"metrics_listen")

    def test_on_listens_on_two_ports(self):
        gw = self.start_gateway()
        port = free_port()
        d = self.start_textscreen(gw.port, {"metrics_listen": f"127.0.0.1:{port}"})
        self.assertEqual(listening_ports(d.proc.pid), {d.port, port})
        self.assertIn(f"event=metrics state=listening address=127.0.0.1:{port}", d.log())

    def test_non_loopback_needs_allow_remote(self):
        d = harness.Daemon(self.workdir, free_port(), {"metrics_listen": "0.0.0.0:9125"})
        d.write_config()
        rc, out = d.run_cli("--check-config", "--config", d.config_path)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("metrics_allow_remote", out)
        d.values["metrics_allow_remote"] = "yes"
        d.write_config()
        rc, out = d.run_cli("--check-config", "--config", d.config_path)
        self.assertEqual(rc, 0, out)

    def test_gateway_down_counts_a_failure(self):
        port = free_port()
        d = self.start_textscreen(free_port(), {"metrics_listen": f"127.0.0.1:{port}",
                                                "gateway_connect_timeout": "2s"})
        status, _, body = http_get(port)
        before = Scrape(self, body)
        with d.client() as c:
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", client=c)
            self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBERS[1])}>"), 451, "4.4.1", client=c)
            _, _, body = http_get(port)
            c.cmd("QUIT")
        after = Scrape(self, body)
        self.assertEqual(after.get("gateway_failures_total", kind="unreachable")
                         - before.get("gateway_failures_total", kind="unreachable"), 1)
        self.assertEqual(after.get("gateway_failures_total", kind="timeout"), 0)


if __name__ == "__main__":
    harness.main()
