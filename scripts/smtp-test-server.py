#!/usr/bin/python3
"""Real SMTP server for sendplan's tests (no mocks): aiosmtpd on 127.0.0.1.

Usage: smtp-test-server.py --dir DIR [--port 0] [--user U --password P]
                           [--tls | --implicit-tls]

Prints `READY <port>` once listening; runs until SIGTERM/SIGINT, exits 0.
Each accepted message lands in DIR/messages/<n>.json (envelope) and then
DIR/messages/<n>.eml (raw message): wait for the .eml, the .json is already there.
Mail to an address starting "nobody@" is refused with 550 (no such mailbox), as a
real server refuses an unknown recipient. A restart with the same --dir keeps the TLS
certificate, so a client that trusts it still does.
Needs Debian's python3-aiosmtpd (apt-get install python3-aiosmtpd), hence /usr/bin/python3.
"""
import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
import ssl
import subprocess
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult
except ImportError:
    # Exit code 2 lets a test harness tell "tool missing" from "server broke".
    print("smtp-test-server: aiosmtpd is not installed; run: "
          "apt-get install python3-aiosmtpd", file=sys.stderr)
    sys.exit(2)

# aiosmtpd 1.4 logs a deprecation notice on every successful AUTH and warns about
# plain-text AUTH, which the no-TLS mode does on purpose: keep stderr for real errors.
logging.getLogger("mail.log").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")

# rustls (webpki) rejects a leaf with CA:TRUE, which `openssl req -x509` adds by
# default, so spell out a plain server-cert profile; the SANs are what clients match.
OPENSSL_CNF = """[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = localhost
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def make_tls_context(d):
    cnf, cert, key = (os.path.join(d, n) for n in ("openssl.cnf", "cert.pem", "key.pem"))
    if os.path.exists(cert) and os.path.exists(key):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        return ctx
    with open(cnf, "w") as f:
        f.write(OPENSSL_CNF)
    # P-256 keeps generation instant; 2 days is plenty for a test run.
    try:
        subprocess.run(["openssl", "req", "-x509", "-config", cnf, "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-days", "2", "-keyout", key, "-out", cert],
                       check=True, capture_output=True, text=True)
    except FileNotFoundError:
        sys.exit("smtp-test-server: --tls needs the openssl command (apt-get install openssl)")
    except subprocess.CalledProcessError as e:
        sys.exit(f"smtp-test-server: openssl failed:\n{e.stderr}")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


class SaveHandler:
    def __init__(self, outdir):
        self.outdir = outdir
        # Continue after messages left by an earlier run so nothing is overwritten.
        nums = [int(n.split(".")[0]) for n in os.listdir(outdir) if n.split(".")[0].isdigit()]
        self.counter = itertools.count(max(nums, default=0) + 1)

    def _write(self, name, data):
        # Write then rename, so a polling test never reads a half-written file.
        tmp = os.path.join(self.outdir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(self.outdir, name))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("nobody@"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        meta = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos)}
        self._write(f"{n}.json", json.dumps(meta).encode())
        self._write(f"{n}.eml", envelope.original_content)
        return "250 OK message accepted"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        # PLAIN and LOGIN both arrive as LoginPassword(login=bytes, password=bytes).
        # handled=False matters: it makes aiosmtpd send the 535 itself (the default
        # True means "reply already sent" and the client would hang).
        ok = (getattr(auth_data, "login", None) == user.encode()
              and getattr(auth_data, "password", None) == password.encode())
        return AuthResult(success=ok, handled=False)
    return authenticate


async def serve(args):
    msgdir = os.path.join(args.dir, "messages")
    os.makedirs(msgdir, exist_ok=True)
    handler = SaveHandler(msgdir)
    tls_ctx = make_tls_context(args.dir) if (args.tls or args.implicit_tls) else None
    auth = bool(args.user)

    def factory():
        return SMTP(
            handler,
            hostname="localhost",  # the default does a DNS lookup of our FQDN: slow offline
            tls_context=tls_ctx if args.tls else None,
            # With --tls, refuse mail before STARTTLS so a client that silently skips
            # TLS fails the test instead of passing in plain text.
            require_starttls=args.tls,
            auth_required=auth,
            # Plain-text AUTH is allowed only on the no-TLS server (for local relays).
            auth_require_tls=args.tls,
            authenticator=make_authenticator(args.user, args.password) if auth else None,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, host="127.0.0.1", port=args.port,
        ssl=tls_ctx if args.implicit_tls else None)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--user")
    p.add_argument("--password")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--tls", action="store_true", help="offer STARTTLS (required)")
    tls.add_argument("--implicit-tls", action="store_true", help="TLS from connect (SMTPS)")
    args = p.parse_args()
    if bool(args.user) != bool(args.password):
        p.error("--user and --password go together")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
