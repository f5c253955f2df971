#!/usr/bin/python3
# Several textscreen processes as one (DESIGN.md "Scaling out"): two daemons on one port
# with reuse_port share one LMDB state directory (each gets connections, each one's
# decisions are visible to textscreenctl through the other's config, and a second daemon
# on a control socket in use refuses to start); two daemons sharing Redis count one rate
# limit together, and when Redis stops they go on with their own counters, say so, and
# go back to Redis when it returns.
import json
import os
import shutil
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (IO_TIMEOUT, NUMBERS, READY_TIMEOUT, Daemon, IntegrationTest,  # noqa: E402
                     ServerProcess, free_port, make_message, poll, rcpt)

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class SharedPortDaemon(Daemon):
    """A daemon bound to a port another daemon already holds (reuse_port): its readiness is
    its own "listening" log line, since a probe of the port may reach the other one."""

    def __init__(self, workdir, gateway_port, port, config=None):
        super().__init__(workdir, gateway_port, config)
        self.fixed_port = port

    def start(self, attempts=1):
        self.port = self.fixed_port
        self.values["listen"] = f"{self.listen_host}:{self.port}"
        self.write_config()
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen([harness.TEXTSCREEN_BIN, "--config", self.config_path],
                                     stdout=self.log_file, stderr=self.log_file,
                                     stdin=subprocess.DEVNULL)
        poll(self._listening, READY_TIMEOUT, what=f"textscreen listening on {self.port}")
        return self

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"textscreen exited with {self.proc.returncode} at start; "
                                 f"log:\n{self.log()}")
        return "event=listening" in self.log()


class RedisServer(ServerProcess):
    """redis-server on a free loopback port, nothing saved to disk."""

    def __init__(self, workdir):
        self.workdir = os.path.join(workdir, "redis")
        os.makedirs(self.workdir, exist_ok=True)
        self.port = free_port()
        self.log_path = os.path.join(self.workdir, "redis.log")

    def start(self):
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.workdir],
            cwd=self.workdir, stdout=self.log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        poll(self.ping, READY_TIMEOUT, what=f"redis-server PONG on port {self.port}")
        return self

    def command(self, *words):
        """One command in RESP; the first line of the reply."""
        if self.proc.poll() is not None:
            raise AssertionError(f"redis-server exited: {self.log()}")
        request = f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(request.encode())
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        return data.split(b"\r\n", 1)[0].decode()

    def ping(self):
        return self.command("PING") == "+PONG"


class FleetTest(IntegrationTest):
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.gateway = self.start_gateway()

    def daemon_in(self, name, config, port=None):
        workdir = os.path.join(self.workdir, name)
        os.makedirs(workdir, exist_ok=True)
        if port is None:
            d = Daemon(workdir, self.gateway.port, config)
        else:
            d = SharedPortDaemon(workdir, self.gateway.port, port, config)
        self.addCleanup(d.stop)
        return d.start()

    def status(self, daemon):
        rc, out, err = daemon.ctl("status", "--json")
        self.assertEqual(rc, 0, f"textscreenctl status: {err}")
        return json.loads(out)

    def send(self, daemon, sender, token, number=NUMBERS[0], source=None):
        """One message on a new connection: (MAIL reply, RCPT reply, end-of-data reply)."""
        with daemon.client(source=source) as c:
            c.ehlo("client.example")
            mail = c.cmd(f"MAIL FROM:<{sender}>")
            self.assertReply(mail, 250, "2.1.0", ref=True, client=c)
            r = c.cmd(f"RCPT TO:<{rcpt(number)}>")
            final = None
            if r.code == 250:
                self.assertReply(c.cmd("DATA"), 354, client=c)
                final = c.send_message(make_message(token, sender=sender, to=rcpt(number)))
            c.cmd("QUIT")
            return mail, r, final


class ReusePortTest(FleetTest):

    def test_two_daemons_share_a_port_and_a_store(self):
        shared = os.path.join(self.workdir, "shared-state")
        def config(name):
            return {"reuse_port": "yes", "state_dir": shared,
                    "control_socket": os.path.join(self.workdir, f"{name}.sock")}
        a = self.daemon_in("a", config("a"))
        b = self.daemon_in("b", config("b"), port=a.port)

        # The kernel spreads connections by their addresses: a few dozen reach both.
        handled = {"a": [], "b": []}
        for i in range(60):
            _, _, final = self.send(a, "alerts@example.org", f"rp{i}")
            self.assertReply(final, 250, "2.0.0", ref=True)
            poll(lambda: final.ref in a.log() or final.ref in b.log(), IO_TIMEOUT,
                 what=f"{final.ref} in a daemon's log")
            handled["a" if final.ref in a.log() else "b"].append(final.ref)
            if handled["a"] and handled["b"]:
                break
        self.assertTrue(handled["a"] and handled["b"],
                        f"60 connections did not reach both daemons: {handled}")
        self.gateway.wait_for_count(len(handled["a"]) + len(handled["b"]))

        # One store: each daemon's decision is found through the other's configuration.
        for ref, ctl_daemon in ((handled["a"][0], b), (handled["b"][0], a)):
            def found(ref=ref, d=ctl_daemon):
                rc, out, _ = d.ctl("lookup", ref, "--json")
                return json.loads(out) if rc == 0 else None
            record = poll(found, IO_TIMEOUT, what=f"decision {ref} in the shared store")
            self.assertEqual(record["ref"], ref)
            self.assertEqual(record["action"], "relay")

        # A third daemon on b's control socket would leave b unreachable: it refuses.
        c = SharedPortDaemon(os.path.join(self.workdir, "c"), self.gateway.port, a.port,
                             config("b"))
        os.makedirs(c.workdir, exist_ok=True)
        with self.assertRaises(AssertionError) as refused:
            c.start()
        self.assertIn("in use by another running textscreen", str(refused.exception))
        c.proc.wait(timeout=IO_TIMEOUT)
        c.log_file.close()
        c.check_sanitizers()
        self.assertNotEqual(c.proc.returncode, 0)
        self.assertIn("generation", self.status(b), "b's control socket survived")
        # textscreenctl picks one daemon of a shared state_dir by its socket.
        rc, out, err = a.ctl("--control-socket", config("b")["control_socket"], "status",
                             "--json")
        self.assertEqual(rc, 0, err)
        self.assertIn("generation", json.loads(out))

    def test_port_in_use_without_reuse_port_names_the_key(self):
        a = self.daemon_in("a", {"reuse_port": "yes"})
        workdir = os.path.join(self.workdir, "b")
        os.makedirs(workdir, exist_ok=True)
        b = SharedPortDaemon(workdir, self.gateway.port, a.port, {"reuse_port": "no"})
        with self.assertRaises(AssertionError):
            b.start()
        b.proc.wait(timeout=IO_TIMEOUT)
        b.log_file.close()
        b.check_sanitizers()
        self.assertIn("reuse_port", b.log())


class SharedCountersTest(FleetTest):
    LIMIT = 3

    def setUp(self):
        super().setUp()
        self.redis = RedisServer(self.workdir)
        self.addCleanup(self.redis.stop)
        self.redis.start()
        config = {"trusted_networks": "none",
                  "redis_address": f"127.0.0.1:{self.redis.port}",
                  "redis_timeout": f"{int(500 * harness.SLOW)}ms",
                  "rate_sender_domain_limit": str(self.LIMIT),
                  "rate_sender_domain_window": "1h"}
        self.daemons = [self.daemon_in("a", config), self.daemon_in("b", config)]
        for d in self.daemons:
            poll(lambda d=d: self.status(d)["counters"]["store"] == "shared", IO_TIMEOUT,
                 what="the daemon counting in Redis")

    def test_one_limit_across_daemons_then_local_fallback(self):
        # Alternating: each daemon alone sees fewer than LIMIT, together they reach it.
        for i in range(self.LIMIT):
            _, r, final = self.send(self.daemons[i % 2], "alerts@fleet.example", f"f{i}",
                                    number=NUMBERS[i])
            self.assertReply(r, 250, "2.1.5", msg=f"message {i + 1} of {self.LIMIT}")
            self.assertReply(final, 250, "2.0.0")
        _, r, _ = self.send(self.daemons[self.LIMIT % 2], "alerts@fleet.example", "over",
                            number=NUMBERS[self.LIMIT])
        self.assertReply(r, 450, "4.7.1", ref=True)
        self.assertIn("Rate limit", r.text)
        self.assertIn("fleet.example", r.text)
        ttl = self.redis.command("PTTL", "textscreen:rate:domain:fleet.example")
        self.assertRegex(ttl, r"^:[1-9]\d*$", "the shared counter expires like a local one")

        # Redis goes away: both keep answering, with their own counters, and say so once.
        self.redis.stop()
        for d in self.daemons:
            poll(lambda d=d: "event=redis state=down" in d.log(), IO_TIMEOUT,
                 what="the fallback logged")
            status = self.status(d)["counters"]
            self.assertEqual(status["store"], "local")
            self.assertTrue(status["fallback"])
            self.assertEqual(status["fallback_spells"], 1)
        a = self.daemons[0]
        for i in range(self.LIMIT):
            _, r, final = self.send(a, "alerts@alone.example", f"l{i}", number=NUMBERS[i])
            self.assertReply(r, 250, "2.1.5", msg="the local counters admit up to the limit")
            self.assertReply(final, 250, "2.0.0")
        _, r, _ = self.send(a, "alerts@alone.example", "l-over", number=NUMBERS[self.LIMIT])
        self.assertReply(r, 450, "4.7.1", ref=True, msg="and still enforce it")
        for d in self.daemons:
            self.assertEqual(d.log().count("event=redis state=down"), 1,
                             "one log line per spell, not per retry")

        # Redis is back (on the same port, empty): each process counts in it again.
        self.redis.start()
        for d in self.daemons:
            poll(lambda d=d: self.status(d)["counters"]["store"] == "shared", IO_TIMEOUT,
                 what="the daemon counting in Redis again")
            self.assertIn("state=up", d.log().split("event=redis state=down", 1)[1])
            self.assertIn("after_spell=yes", d.log())
            self.assertFalse(self.status(d)["counters"]["fallback"])


if __name__ == "__main__":
    harness.main()
