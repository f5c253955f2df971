#!/usr/bin/python3
# DKIM keys and signatures for the end-to-end tests, made with real tools: RSA keys by
# opendkim-genkey (opendkim-tools), ed25519 keys by PyNaCl, signatures by dkimpy
# (python3-dkim). Nothing here is a hand-made signature.
import base64
import os
import re
import subprocess

import dkim
import nacl.signing

SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id"]


class DkimKey:
    def __init__(self, domain, selector, private_key, txt_value, algorithm):
        self.domain = domain
        self.selector = selector
        self.private_key = private_key  # bytes as dkimpy wants them
        self.txt_value = txt_value      # the DNS TXT record's text
        self.algorithm = algorithm      # b"rsa-sha256" or b"ed25519-sha256"

    @property
    def dns_name(self):
        return f"{self.selector}._domainkey.{self.domain}"

    def zone_record(self, txt_strings):
        return f"{self.dns_name}. 300 IN TXT {txt_strings(self.txt_value)}"

    def sign(self, message, length=False):
        signature = dkim.sign(message, self.selector.encode(), self.domain.encode(),
                              self.private_key, include_headers=SIGNED_HEADERS,
                              signature_algorithm=self.algorithm, length=length)
        return signature + message


def rsa_key(workdir, domain, selector, bits):
    out = os.path.join(workdir, f"{selector}-{domain}")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["opendkim-genkey", "-b", str(bits), "-d", domain, "-s", selector,
                    "-D", out], check=True, stdin=subprocess.DEVNULL, capture_output=True)
    with open(os.path.join(out, f"{selector}.private"), "rb") as f:
        private = f.read()
    with open(os.path.join(out, f"{selector}.txt")) as f:
        txt = "".join(re.findall(r'"([^"]*)"', f.read()))
    return DkimKey(domain, selector, private, txt, b"rsa-sha256")


def ed25519_key(domain, selector):
    key = nacl.signing.SigningKey.generate()
    public = base64.b64encode(bytes(key.verify_key)).decode()
    return DkimKey(domain, selector, base64.b64encode(bytes(key)),
                   f"v=DKIM1; k=ed25519; p={public}", b"ed25519-sha256")
