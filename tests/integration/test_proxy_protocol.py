#!/usr/bin/python3
# PROXY protocol behind a load balancer, against the real daemon: a connection from
# proxy_networks names its client in a version 1 or 2 header and every check (the log,
# the Received header, the decision record, bans, connection limits) sees that client; a
# LOCAL header keeps the proxy's own address; a header from anywhere else is just a bad
# SMTP command; a proxy that sends garbage or nothing is closed without a banner.
import json
import os
import re
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IO_TIMEOUT, NUMBERS, IntegrationTest, make_message, poll, rcpt  # noqa: E402

PROXY = "127.0.0.3"       # the only address in proxy_networks
NOT_PROXY = "127.0.0.2"   # another loopback client: plain SMTP
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
# Long enough that the daemon's answers never race it, short enough for the tests that
# wait for it.
PROXY_TIMEOUT_SECONDS = 2


def v1(source, destination="198.51.100.1", sport=40000, dport=25):
    family = "TCP6" if ":" in source else "TCP4"
    return f"PROXY {family} {source} {destination} {sport} {dport}\r\n".encode()


def v2(source=None, destination=None, sport=40000, dport=25, local=False, tlvs=b""):
    """A version 2 header; no source: AF_UNSPEC (or LOCAL when local)."""
    if local or source is None:
        block, family = tlvs, 0x00
    elif ":" in source:
        block = (socket.inet_pton(socket.AF_INET6, source) +
                 socket.inet_pton(socket.AF_INET6, destination or "2001:db8::1") +
                 struct.pack("!HH", sport, dport) + tlvs)
        family = 0x21
    else:
        block = (socket.inet_aton(source) + socket.inet_aton(destination or "198.51.100.1") +
                 struct.pack("!HH", sport, dport) + tlvs)
        family = 0x11
    command = 0x20 if local else 0x21
    return V2_SIGNATURE + bytes([command, family]) + struct.pack("!H", len(block)) + block


class ProxyProtocolTest(IntegrationTest):
    start_daemon = False
    config = {}

    def setUp(self):
        super().setUp()
        self.gateway = self.start_gateway()
        # The default trusted_networks (127.0.0.0/8) covers the proxy but not the clients
        # it names: a proxied client must be screened as itself.
        values = {"proxy_networks": f"{PROXY}/32",
                  "proxy_timeout": f"{PROXY_TIMEOUT_SECONDS}s"}
        values.update(self.config)
        self.daemon = self.start_textscreen(self.gateway.port, values)

    def proxied(self, header):
        """A connection from the proxy that sends header, then expects the banner."""
        c = self.client(source=PROXY, banner=False)
        c.send(header)
        self.assertReply(c.banner(), 220, client=c)
        return c

    def connect_line(self, client):
        """The daemon's connect log line for client (polled: the log is written async)."""
        pattern = re.compile(rf"^(ts-\S+) .*event=connect client={re.escape(client)}( .*)?$",
                             re.M)
        return poll(lambda: pattern.search(self.daemon.log()), IO_TIMEOUT,
                    what=f"a connect line for {client}").group(0)

    def relay_one(self, c, token):
        c.ehlo("client.example")
        end = self.transaction(c, recipients=[rcpt(NUMBERS[0])], message=make_message(token))
        self.assertReply(end, 250, "2.0.0", ref=True, client=c)
        c.cmd("QUIT")
        return end.ref

    def stored(self, token):
        msgs = poll(lambda: [m for m in self.gateway.messages() if token.encode() in m["raw"]],
                    IO_TIMEOUT, what=f"message {token} at the gateway")
        return msgs[0]["raw"].decode(errors="replace")

    def lookup(self, ref):
        def found():
            rc, out, _ = self.daemon.ctl("lookup", ref, "--json")
            return json.loads(out) if rc == 0 else None
        return poll(found, IO_TIMEOUT, what=f"the decision record of {ref}")

    def assertClosedSilently(self, c):
        self.assertTrue(c.at_eof(IO_TIMEOUT), "the daemon did not close the connection")
        self.assertEqual(c.buf, b"", f"the daemon answered a broken proxy: {c.buf!r}")


class ProxiedClientTest(ProxyProtocolTest):

    def test_v1_header_names_the_client_everywhere(self):
        c = self.proxied(v1("192.0.2.10"))
        ref = self.relay_one(c, "viav1")
        line = self.connect_line("192.0.2.10")
        self.assertIn(f"proxy={PROXY}", line)
        self.assertIn("trusted=no", line, "the proxy's trust leaked to the client it named")
        received = self.stored("viav1")
        self.assertRegex(received, r"Received: from client\.example \(\[192\.0\.2\.10\]\)")
        self.assertNotIn(PROXY, received.split("\r\n\r\n")[0])
        self.assertEqual(self.lookup(ref)["client"], "192.0.2.10")

    def test_v2_ipv4_and_ipv6_with_tlvs(self):
        c = self.proxied(v2("192.0.2.11", tlvs=b"\x01\x00\x04smtp"))
        self.relay_one(c, "viav2four")
        self.assertIn(f"proxy={PROXY}", self.connect_line("192.0.2.11"))
        c = self.proxied(v2("2001:db8::25"))
        ref = self.relay_one(c, "viav2six")
        self.assertIn(f"proxy={PROXY}", self.connect_line("2001:db8::25"))
        self.assertIn("[2001:db8::25]", self.stored("viav2six"))
        self.assertEqual(self.lookup(ref)["client"], "2001:db8::25")

    def test_header_and_first_command_in_one_write(self):
        # Nothing after the header may be swallowed by it: the EHLO is the session's.
        c = self.client(source=PROXY, banner=False)
        c.send(v1("192.0.2.12") + b"EHLO eager.example\r\n")
        self.assertReply(c.banner(), 220, client=c)
        self.assertReply(c.reply(), 250, client=c)
        self.assertReply(c.cmd("NOOP"), 250, client=c)

    def test_header_split_across_writes(self):
        for header, client in ((v1("192.0.2.13"), "192.0.2.13"),
                               (v2("192.0.2.14"), "192.0.2.14"),
                               (v2("2001:db8::26"), "2001:db8::26")):
            c = self.client(source=PROXY, banner=False)
            c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            cuts = [3, 9, 14, 17, len(header) - 1]
            start = 0
            for cut in cuts:
                c.send(header[start:cut])
                start = cut
                # An incomplete header gets no answer (this also spaces the writes).
                c.sock.settimeout(0.3)
                with self.assertRaises(socket.timeout, msg=f"answered {header[:cut]!r}"):
                    c.sock.recv(1)
                c.sock.settimeout(IO_TIMEOUT)
            c.send(header[start:])
            self.assertReply(c.banner(), 220, client=c)
            c.ehlo()
            c.cmd("QUIT")
            self.assertIn(f"proxy={PROXY}", self.connect_line(client))

    def test_local_and_unknown_keep_the_proxy_address(self):
        for header in (v2(local=True), b"PROXY UNKNOWN\r\n", v2()):
            c = self.proxied(header)
            c.ehlo()
            self.assertReply(c.cmd("QUIT"), 221, client=c)
        pattern = rf"event=connect client={PROXY} proxy={PROXY} trusted=yes"
        poll(lambda: len(re.findall(pattern, self.daemon.log())) == 3, IO_TIMEOUT,
             what="three connect lines with the proxy as the client")

    def test_client_ban_applies_to_the_proxied_client(self):
        rc, _, err = self.daemon.ctl("ban", "add", "client", "192.0.2.10/32",
                                     "--reason", "compromised host")
        self.assertEqual(rc, 0, err)
        banned = self.proxied(v1("192.0.2.10"))
        banned.ehlo()
        r = banned.cmd("MAIL FROM:<a@example.org>")
        self.assertReply(r, 550, "5.7.1", ref=True, client=banned)
        self.assertIn("compromised host", r.text)
        other = self.proxied(v1("192.0.2.20"))
        other.ehlo()
        self.assertReply(other.cmd("MAIL FROM:<a@example.org>"), 250, "2.1.0", client=other)


class ProxiedConnectionLimitsTest(ProxyProtocolTest):
    config = {"max_connections_per_ip": "1"}

    def test_per_address_limit_counts_the_proxied_client(self):
        first = self.proxied(v1("192.0.2.30"))
        first.ehlo()
        second = self.client(source=PROXY, banner=False)
        second.send(v1("192.0.2.30"))
        self.assertReply(second.reply(), 421, "4.7.0", client=second)
        # The same proxy, another client: its own count.
        other = self.proxied(v1("192.0.2.31"))
        other.ehlo()


class NotFromProxyTest(ProxyProtocolTest):

    def test_header_from_another_address_is_an_smtp_command(self):
        c = self.client(source=NOT_PROXY)
        r = c.cmd(v1("192.0.2.10").decode().rstrip("\r\n"))
        self.assertReply(r, 500, "5.5.2", client=c)
        c.ehlo()
        self.assertReply(c.cmd("QUIT"), 221, client=c)
        self.assertNotIn("proxy=", self.connect_line(NOT_PROXY))
        self.assertNotRegex(self.daemon.log(), r"event=connect client=192\.0\.2\.10")


class BrokenProxyTest(ProxyProtocolTest):

    def test_garbage_closes_without_a_banner(self):
        for garbage in (b"EHLO client.example\r\n", b"PROXY TCP4 192.0.2.10 nonsense 1 2\r\n",
                        V2_SIGNATURE + b"\x31\x11\x00\x0c", b"PROXY TCP4 1.2.3.4 " + b"9" * 100):
            c = self.client(source=PROXY, banner=False)
            c.send(garbage)
            self.assertClosedSilently(c)
        closed = re.findall(rf"event=proxy proxy={PROXY} result=closed", self.daemon.log())
        self.assertEqual(len(closed), 4, self.daemon.log()[-3000:])
        self.assertNotIn("event=connect client=192.0.2.10", self.daemon.log())

    def test_silence_is_closed_after_proxy_timeout(self):
        c = self.client(source=PROXY, banner=False)
        c.send(b"PROXY TCP4 192.0.2.10")  # and then nothing
        self.assertClosedSilently(c)
        self.assertRegex(self.daemon.log(), r"event=proxy proxy=127\.0\.0\.3 result=closed "
                                            r"reason=.*no complete PROXY header within")
        quiet = self.client(source=PROXY, banner=False)
        self.assertClosedSilently(quiet)

    def test_shutdown_closes_connections_waiting_for_a_header(self):
        c = self.client(source=PROXY, banner=False)
        c.send(b"PROXY ")
        poll(lambda: self.status()["awaiting_proxy_header"] == 1, IO_TIMEOUT,
             what="the connection waiting for its PROXY header in status")
        self.daemon.signal(signal.SIGTERM)
        self.assertClosedSilently(c)
        self.daemon.wait_exit()

    def status(self):
        rc, out, err = self.daemon.ctl("status", "--json")
        self.assertEqual(rc, 0, err)
        return json.loads(out)


if __name__ == "__main__":
    harness.main()
