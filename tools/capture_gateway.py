#!/usr/bin/python3
# A stand-in for the carrier SMS gateway: an SMTP sink that stores every message it
# accepts, one file per message, and can be told to refuse, tempfail or hang at any
# stage, so the integration tests (and the README quick start) have a real peer.
#
# Must run under /usr/bin/python3: Debian's python3-aiosmtpd is only importable there.
"""Capture gateway: an SMTP sink for textscreen's tests and quick start.

Each accepted message is stored as SPOOL/<seq>.json (envelope) and then
SPOOL/<seq>.eml (the message as received); both are written to a temporary
name and renamed, and the .eml comes last, so counting *.eml files counts
complete messages. The envelope records whether the session ran over TLS
(STARTTLS is offered when --tls-cert and --tls-key are given).
"""

import argparse
import asyncio
import datetime
import json
import logging
import os
import signal
import ssl
import sys

try:
    from aiosmtpd.smtp import SMTP, syntax
except ImportError:  # pragma: no cover - depends on the host
    sys.stderr.write(
        "capture_gateway: cannot import aiosmtpd; run with /usr/bin/python3 "
        "(Debian package python3-aiosmtpd)\n")
    sys.exit(2)

HANG_STAGES = ("greeting", "ehlo", "starttls", "mail", "rcpt", "data", "dot")
DATA_SIZE_LIMIT = 64 * 1024 * 1024


def log(msg):
    stamp = datetime.datetime.now().strftime("%H:%M:%S.%f")[:-3]
    sys.stderr.write(f"{stamp} capture_gateway: {msg}\n")
    sys.stderr.flush()


def parse_hostport(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not HOST:PORT")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def parse_reply(text):
    code, _, rest = text.strip().partition(" ")
    if len(code) != 3 or not code.isdigit() or code[0] not in "2345":
        raise argparse.ArgumentTypeError(f"'{text}' is not 'CODE TEXT'")
    return f"{code} {rest}".rstrip()


def addr_matches(address, patterns):
    """An address matches a pattern equal to it, or to its local part when the
    pattern has no '@' (both case-insensitive)."""
    addr = address.strip("<>").lower()
    local = addr.rpartition("@")[0] if "@" in addr else addr
    for p in patterns:
        p = p.strip("<>").lower()
        if p == addr or ("@" not in p and p == local):
            return True
    return False


class Spool:
    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        # Continue numbering after what is already there (the quick start keeps its spool).
        last = 0
        for name in os.listdir(directory):
            stem, ext = os.path.splitext(name)
            if ext in (".eml", ".json") and stem.isdigit():
                last = max(last, int(stem))
        self.next_seq = last + 1

    def _write_atomic(self, name, data):
        final = os.path.join(self.dir, name)
        tmp = os.path.join(self.dir, f".tmp.{os.getpid()}.{name}")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, final)

    def store(self, meta, content):
        seq = self.next_seq
        self.next_seq += 1
        stem = f"{seq:06d}"
        meta = dict(meta, seq=seq)
        self._write_atomic(stem + ".json",
                           json.dumps(meta, indent=1, ensure_ascii=False).encode() + b"\n")
        self._write_atomic(stem + ".eml", content)
        return seq


class ConnectionCounter:
    """Counts accepted connections into a file (rewritten whole, via rename), so a test can
    tell how often textscreen connected, e.g. that a cached callout made no new probe."""

    def __init__(self, path):
        self.path = path
        self.count = 0
        if path:
            self._write()

    def _write(self):
        tmp = f"{self.path}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{self.count}\n")
        os.rename(tmp, self.path)

    def accepted(self):
        if not self.path:
            return
        self.count += 1
        try:
            self._write()
        except OSError as e:
            log(f"cannot write {self.path}: {e}")


class GatewaySMTP(SMTP):
    """aiosmtpd's server with hangs where no handler hook can stop it: at EHLO, after the
    220 of STARTTLS, and before the 354 of DATA."""

    def __init__(self, handler, **kwargs):
        super().__init__(handler, **kwargs)
        self.gateway = handler

    def connection_made(self, transport):
        # aiosmtpd calls this again when STARTTLS succeeds: count the TCP connection once.
        if self._original_transport is None:
            self.gateway.counter.accepted()
        super().connection_made(transport)

    async def hang(self, stage):
        """Stop answering: read and discard whatever comes until the peer goes away."""
        log(f"hanging at {stage} for {self.session.peer}")
        while self.transport is not None:
            chunk = await self._reader.read(65536)
            if not chunk:
                break
        # The handler coroutine is cancelled on EOF/connection loss; if not, never answer.
        await asyncio.Event().wait()

    @syntax("EHLO hostname")
    async def smtp_EHLO(self, hostname):
        if self.gateway.hang_stage == "ehlo":
            await self.hang("ehlo")
        return await super().smtp_EHLO(hostname)

    @syntax("STARTTLS", when="tls_context")
    async def smtp_STARTTLS(self, arg):
        if self.gateway.hang_stage == "starttls" and not arg:
            await self.push("220 Ready to start TLS")
            await self.hang("starttls")
        return await super().smtp_STARTTLS(arg)

    @syntax("DATA")
    async def smtp_DATA(self, arg):
        if self.gateway.hang_stage == "data" and self.envelope.rcpt_tos and not arg:
            await self.hang("data")
        return await super().smtp_DATA(arg)


class Gateway:
    def __init__(self, opts, spool, stop_event):
        self.opts = opts
        self.spool = spool
        self.stop_event = stop_event
        self.hang_stage = opts.hang
        self.stored = 0
        self.counter = ConnectionCounter(opts.connections_file)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.hang_stage == "mail":
            await server.hang("mail")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hang_stage == "rcpt":
            await server.hang("rcpt")
        if self.opts.reject_all_rcpt and not addr_matches(address, self.opts.accept_rcpt):
            return f"550 5.1.1 <{address}>: unknown subscriber"
        if addr_matches(address, self.opts.reject_rcpt):
            return f"550 5.1.1 <{address}>: unknown subscriber"
        if addr_matches(address, self.opts.tempfail_rcpt):
            return f"450 4.2.1 <{address}>: subscriber temporarily unavailable"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang_stage == "dot":
            await server.hang("dot")
        peer = session.peer
        if self.opts.data_reply:
            log(f"refused message from {peer[0]}:{peer[1]} with '{self.opts.data_reply}'")
            return self.opts.data_reply
        if self.opts.max_messages is not None and self.stored >= self.opts.max_messages:
            return "452 4.3.1 capture gateway is full"
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "peer": f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer),
            "received_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "mail_options": list(envelope.mail_options),
            "smtp_utf8": bool(envelope.smtp_utf8),
            "helo": session.host_name,
            **tls_metadata(session),
        }
        content = envelope.original_content or b""
        try:
            seq = self.spool.store(meta, content)
        except OSError as e:
            log(f"cannot store message from {peer}: {e}")
            return "451 4.3.0 capture gateway cannot store the message"
        self.stored += 1
        log(f"stored {seq:06d} from={envelope.mail_from!r} to={list(envelope.rcpt_tos)!r} "
            f"size={len(content)} peer={meta['peer']}")
        if self.opts.max_messages is not None and self.stored >= self.opts.max_messages:
            log(f"stored {self.stored} messages (--max-messages), stopping")
            # Let the 250 go out first: the reply is pushed right after this returns.
            asyncio.get_running_loop().call_later(0.2, self.stop_event.set)
        return "250 2.0.0 OK stored as " + f"{seq:06d}"


def tls_metadata(session):
    """Whether the session ran over TLS, and if so its version and cipher."""
    ssl_object = session.ssl.get("ssl_object") if session.ssl else None
    if ssl_object is None:
        return {"tls": False}
    return {"tls": True, "tls_version": ssl_object.version(),
            "tls_cipher": ssl_object.cipher()[0]}


def server_tls_context(opts):
    if not opts.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(opts.tls_cert, opts.tls_key)
    return context


async def hang_at_greeting(reader, writer):
    """Accept TCP and never send a banner; read and discard until the peer leaves."""
    peer = writer.get_extra_info("peername")
    log(f"hanging at greeting for {peer}")
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(opts):
    loop = asyncio.get_running_loop()
    stop_event = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_event.set)

    spool = Spool(opts.spool)
    handler = Gateway(opts, spool, stop_event)
    host, port = opts.listen
    connections = set()

    if opts.hang == "greeting":
        async def on_client(reader, writer):
            handler.counter.accepted()
            task = asyncio.current_task()
            connections.add(task)
            try:
                await hang_at_greeting(reader, writer)
            finally:
                connections.discard(task)
        server = await asyncio.start_server(on_client, host, port, reuse_address=True)
    else:
        def factory():
            proto = GatewaySMTP(
                handler,
                hostname=opts.hostname,
                ident="capture gateway",
                enable_SMTPUTF8=True,
                decode_data=False,
                data_size_limit=DATA_SIZE_LIMIT,
                timeout=opts.timeout,
                tls_context=opts.tls_context,
                require_starttls=opts.require_starttls,
            )
            connections.add(proto)
            return proto
        server = await loop.create_server(factory, host, port, reuse_address=True)

    log(f"listening on {host}:{port}, spool {os.path.abspath(opts.spool)}"
        + (", offering STARTTLS" if opts.tls_cert else "")
        + (f", hanging at {opts.hang}" if opts.hang else ""))
    try:
        await stop_event.wait()
    finally:
        server.close()
        for c in list(connections):
            if isinstance(c, asyncio.Task):
                c.cancel()
            elif c.transport is not None:
                c.transport.close()
        # Give closing transports one turn of the loop to flush.
        await asyncio.sleep(0)
        log(f"stopped after storing {handler.stored} messages")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="SMTP sink standing in for the carrier SMS gateway.")
    p.add_argument("--listen", type=parse_hostport, default=("127.0.0.1", 2526),
                   metavar="HOST:PORT", help="where to listen (default 127.0.0.1:2526)")
    p.add_argument("--spool", default="var/gateway", metavar="DIR",
                   help="where accepted messages are stored (created if missing)")
    p.add_argument("--hostname", default="gateway.test", help="name in the banner")
    p.add_argument("--reject-rcpt", action="append", default=[], metavar="ADDR_OR_LOCALPART",
                   help="answer RCPT for this recipient with 550 5.1.1 (repeatable)")
    p.add_argument("--tempfail-rcpt", action="append", default=[], metavar="ADDR_OR_LOCALPART",
                   help="answer RCPT for this recipient with 450 4.2.1 (repeatable)")
    p.add_argument("--reject-all-rcpt", action="store_true",
                   help="answer RCPT with 550 5.1.1 for every recipient not named by "
                        "--accept-rcpt (a callout target that knows only some addresses)")
    p.add_argument("--accept-rcpt", action="append", default=[], metavar="ADDR_OR_LOCALPART",
                   help="with --reject-all-rcpt: a recipient still accepted (repeatable)")
    p.add_argument("--connections-file", metavar="PATH",
                   help="keep the number of accepted connections in this file (0 at start)")
    p.add_argument("--data-reply", type=parse_reply, metavar='"CODE TEXT"',
                   help="reply at end of DATA instead of accepting; nothing is stored")
    p.add_argument("--hang", choices=HANG_STAGES,
                   help="stop answering at this stage (and read and discard input); "
                        "starttls: after the 220, never start the TLS handshake")
    p.add_argument("--max-messages", type=int, metavar="N",
                   help="exit after storing N messages")
    p.add_argument("--timeout", type=float, default=300,
                   help="seconds of client silence before the connection is closed")
    p.add_argument("--tls-cert", metavar="PEM",
                   help="offer STARTTLS with this certificate (chain) file; needs --tls-key")
    p.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    p.add_argument("--require-starttls", action="store_true",
                   help="with --tls-cert: refuse every command but EHLO, STARTTLS, QUIT "
                        "until TLS is on")
    p.add_argument("--debug", action="store_true", help="log aiosmtpd's protocol trace")
    opts = p.parse_args(argv)
    if bool(opts.tls_cert) != bool(opts.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if opts.require_starttls and not opts.tls_cert:
        p.error("--require-starttls needs --tls-cert and --tls-key")
    return opts


if __name__ == "__main__":
    options = parse_args(sys.argv[1:])
    logging.basicConfig(level=logging.DEBUG if options.debug else logging.WARNING,
                        stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    try:
        options.tls_context = server_tls_context(options)
    except OSError as e:  # ssl.SSLError is an OSError
        log(f"cannot load {options.tls_cert} / {options.tls_key}: {e}")
        sys.exit(2)
    try:
        asyncio.run(main(options))
    except OSError as e:
        log(f"cannot listen on {options.listen[0]}:{options.listen[1]}: {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    sys.exit(0)
