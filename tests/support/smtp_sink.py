#!/usr/bin/python3
# A real SMTP server for the mail tests (Debian's python3-aiosmtpd), on
# 127.0.0.1 only. Every message it accepts is written to DIR/N.eml (the data
# exactly as received) and DIR/N.json (envelope sender, recipients, the
# authenticated user and whether the session was TLS); DIR/ready holds the
# port once it listens. Stops on SIGTERM.
#
#   smtp_sink.py DIR [--starttls CERT KEY] [--implicit CERT KEY]
#                    [--auth USER PASSWORD] [--reject-rcpt ADDR]
import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, reject_rcpt):
        self.directory = directory
        self.reject_rcpt = reject_rcpt
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.reject_rcpt:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.directory, str(n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json.tmp", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "user": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None,
                       "tls": server.transport.get_extra_info("ssl_object") is not None}, f)
        os.rename(base + ".json.tmp", base + ".json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--implicit", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", nargs=2, metavar=("USER", "PASSWORD"))
    p.add_argument("--reject-rcpt")
    a = p.parse_args()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and a.auth is not None
              and auth_data.login.decode() == a.auth[0] and auth_data.password.decode() == a.auth[1])
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)

    def context(pair):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pair[0], pair[1])
        return ctx

    kwargs = {}
    if a.starttls:
        kwargs["tls_context"] = context(a.starttls)
        kwargs["require_starttls"] = True
    if a.auth:
        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = True
    for attempt in range(3):
        port = free_port()
        controller = Controller(Sink(a.dir, a.reject_rcpt), hostname="127.0.0.1", port=port,
                                ssl_context=context(a.implicit) if a.implicit else None,
                                server_hostname="localhost", ready_timeout=10, **kwargs)
        try:
            controller.start()
            break
        except Exception as e:  # the port was taken in between: another one
            error = e
    else:
        print("smtp_sink: cannot listen: %s" % error, file=sys.stderr)
        return 1
    with open(os.path.join(a.dir, "ready.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(a.dir, "ready.tmp"), os.path.join(a.dir, "ready"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
