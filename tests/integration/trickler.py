#!/usr/bin/python3
# A slowloris connection: it waits for the banner, then sends one byte at a time of a
# command line it never finishes. Shared by tests/integration/test_slowloris.py (the
# liveness bound) and bench/load/slowloris.py (the 1 s target). Sources are spread over
# 127.1.x.y, PER_ADDRESS connections per address and ADDRESSES_PER_NETWORK per /24, so
# the per-address and per-network limits are in force without refusing anyone.
import socket
import time

PER_ADDRESS = 10
ADDRESSES_PER_NETWORK = 10
PARTIAL_LINE = b"NOOP " + b"x" * 200  # never followed by CRLF


def source(n):
    address = n // PER_ADDRESS
    return f"127.1.{address // ADDRESSES_PER_NETWORK}.{1 + address % ADDRESSES_PER_NETWORK}"


class Trickler:
    def __init__(self, n, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.bind((source(n), 0))
        self.sock.connect_ex(("127.0.0.1", port))
        self.received = b""
        self.sent = 0
        self.closed_at = None  # when the server closed it (time.monotonic())

    @property
    def greeted(self):
        return b"\n" in self.received

    @property
    def closed(self):
        return self.closed_at is not None

    def read(self):
        try:
            data = self.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            self.received += data
        else:
            self.closed_at = time.monotonic()

    def trickle(self):
        if self.closed or not self.greeted:
            return
        try:
            self.sent += self.sock.send(PARTIAL_LINE[self.sent % len(PARTIAL_LINE):][:1])
        except OSError:
            pass  # would block, or reset by the server: read() sees the close
