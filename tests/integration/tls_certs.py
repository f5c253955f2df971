#!/usr/bin/python3
# Test certificates made with the openssl command line: a throwaway CA and a server
# certificate it signed, so a test can check both "TLS works" and "the peer was verified".
import os
import subprocess


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, timeout=60)


def make_certificate(directory, name="localhost", ips=("127.0.0.1", "::1")):
    """Writes ca.pem, server.pem and server.key into directory and returns their paths
    as (cert, key, ca). The certificate names `name` and the given IP addresses."""
    os.makedirs(directory, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "2", "-subj", "/CN=textscreen test CA",
             "-keyout", "ca.key", "-out", "ca.pem", cwd=directory)
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-subj", f"/CN={name}", "-keyout", "server.key", "-out", "server.csr",
             cwd=directory)
    alt = ",".join([f"DNS:{name}"] + [f"IP:{ip}" for ip in ips])
    with open(os.path.join(directory, "ext.cnf"), "w") as f:
        f.write(f"subjectAltName={alt}\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem",
             cwd=directory)
    return (os.path.join(directory, "server.pem"), os.path.join(directory, "server.key"),
            os.path.join(directory, "ca.pem"))
