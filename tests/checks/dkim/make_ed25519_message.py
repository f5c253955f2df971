#!/usr/bin/python3
# Writes ed25519_signed.eml: a message signed ed25519-sha256 (RFC 8463) by dkimpy, an
# implementation independent of libopendkim, with keys/ed25519.key (selector "ed",
# d=example.com). Run once; the output is stored so the unit tests need no Python.
# The file is stored with LF line ends; the test turns them into CRLF before verifying.
import os
import time

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))

MESSAGE = (
    b"From: Dispatch <alerts@example.com>\r\n"
    b"To: 15551234567@sms.example.net\r\n"
    b"Subject: Water main repair on\r\n"
    b" Elm Street tonight\r\n"
    b"Date: Mon, 01 Jan 2024 08:00:00 +0000\r\n"
    b"Message-ID: <ed25519-test@example.com>\r\n"
    b"\r\n"
    b"Crews will be on Elm Street from 22:00.\r\n"
    b"Expect low water pressure until 04:00.\r\n"
)

# dkimpy stamps t= with the time of signing; a fixed past time keeps the stored signature
# valid on a machine whose clock is behind the one that signed it (t= in the future fails).
time.time = lambda: 1704096000  # 2024-01-01T08:00:00Z

with open(os.path.join(HERE, "keys", "ed25519.key"), "rb") as f:
    key = f.read().strip()

signature = dkim.sign(
    MESSAGE,
    b"ed",
    b"example.com",
    key,
    canonicalize=(b"relaxed", b"relaxed"),
    signature_algorithm=b"ed25519-sha256",
    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
)
signed = signature + MESSAGE
with open(os.path.join(HERE, "ed25519_signed.eml"), "wb") as f:
    f.write(signed.replace(b"\r\n", b"\n"))
