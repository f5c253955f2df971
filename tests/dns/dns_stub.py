#!/usr/bin/python3
# A tiny authoritative DNS server for tests: serves the zone records given on the command
# line over UDP and TCP on 127.0.0.1, and stages faults (SERVFAIL, delay, truncation) that
# real servers will not produce on demand. Prints "READY <port>" once both sockets listen.
import argparse
import socket
import struct
import sys
import threading
import time

from dnslib import DNSRecord, QTYPE, RCODE, RR

UDP_LIMIT = 512  # no EDNS: anything longer must go truncated over UDP, then over TCP


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--zone", action="append", default=[], help="one RR in zone-file syntax")
    p.add_argument("--zone-file", help="file of RRs in zone-file syntax")
    p.add_argument("--servfail", action="append", default=[], help="name answered SERVFAIL")
    p.add_argument("--delay", action="append", default=[], help="NAME=SECONDS before answering")
    p.add_argument("--truncate", action="append", default=[], help="name always TC over UDP")
    p.add_argument("--port", type=int, default=0)
    return p.parse_args()


def norm(name):
    return str(name).lower().rstrip(".")


class Zone:
    def __init__(self, args):
        text = "\n".join(args.zone)
        if args.zone_file:
            with open(args.zone_file) as f:
                text += "\n" + f.read()
        self.records = RR.fromZone(text) if text.strip() else []
        self.servfail = {norm(n) for n in args.servfail}
        self.truncate = {norm(n) for n in args.truncate}
        self.delay = {}
        for item in args.delay:
            name, seconds = item.rsplit("=", 1)
            self.delay[norm(name)] = float(seconds)

    def answer(self, data, over_udp):
        request = DNSRecord.parse(data)
        qname = norm(request.q.qname)
        reply = request.reply()
        time.sleep(self.delay.get(qname, 0))
        if qname in self.servfail:
            reply.header.rcode = RCODE.SERVFAIL
            return reply.pack()
        owned = [rr for rr in self.records if norm(rr.rname) == qname]
        for rr in owned:
            if rr.rtype == request.q.qtype:
                reply.add_answer(rr)
        if not owned:
            reply.header.rcode = RCODE.NXDOMAIN
        if not reply.rr:
            for rr in self.records:
                if rr.rtype == QTYPE.SOA and qname.endswith(norm(rr.rname)):
                    reply.add_auth(rr)
                    break
        packed = reply.pack()
        if over_udp and (qname in self.truncate or len(packed) > UDP_LIMIT):
            short = request.reply()
            short.header.tc = 1
            return short.pack()
        return packed


def serve_udp(sock, zone):
    while True:
        data, peer = sock.recvfrom(65535)

        def work(data=data, peer=peer):
            try:
                sock.sendto(zone.answer(data, True), peer)
            except Exception as e:  # a bad query must not stop the server
                print("udp error:", e, file=sys.stderr)

        threading.Thread(target=work, daemon=True).start()


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve_tcp_conn(conn, zone):
    with conn:
        while True:
            head = recv_exact(conn, 2)
            if head is None:
                return
            data = recv_exact(conn, struct.unpack("!H", head)[0])
            if data is None:
                return
            out = zone.answer(data, False)
            conn.sendall(struct.pack("!H", len(out)) + out)


def serve_tcp(sock, zone):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn, zone), daemon=True).start()


def bind_pair(port):
    # UDP and TCP must share the port; with port 0 retry until a free one fits both.
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", port))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            if port:
                raise
            continue
        tcp.listen(16)
        return udp, tcp
    raise SystemExit("no free port for UDP and TCP")


def main():
    args = parse_args()
    zone = Zone(args)
    udp, tcp = bind_pair(args.port)
    threading.Thread(target=serve_udp, args=(udp, zone), daemon=True).start()
    threading.Thread(target=serve_tcp, args=(tcp, zone), daemon=True).start()
    print("READY", udp.getsockname()[1], flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
