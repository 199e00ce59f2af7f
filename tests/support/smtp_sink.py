#!/usr/bin/env python3
"""A loopback SMTP server for the tests (aiosmtpd, Debian's python3-aiosmtpd).

Every mail it accepts becomes <maildir>/<n>.json: {"mail_from", "rcpt_tos", "subject", "text",
"html", "headers"}, with the MIME parts decoded, written to a temporary name and renamed, so a
reader never sees half a file. While <maildir>/refuse exists, DATA is answered 451 (a
temporary failure the courier must retry).

  smtp_sink.py MAILDIR PORT_FILE [PORT] [--starttls CERT KEY | --smtps CERT KEY]
               [--auth USER:PASSWORD] [--auth-in-clear]

Listens on 127.0.0.1:PORT (default 0: any free port), writes the port to PORT_FILE once
listening, and serves until SIGTERM.
  --starttls    offers STARTTLS and requires it before MAIL
  --smtps       TLS from the first byte (implicit TLS, as on port 465)
  --auth        requires AUTH with that user and password before MAIL
  --auth-in-clear  offers AUTH without TLS too (to see that the client refuses)
Each mail's record also says whether its session was TLS ("tls") and who authenticated
("auth_user", null without AUTH).
"""
import argparse
import email
import email.policy
import json
import os
import signal
import sys
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, maildir):
        self.maildir = maildir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.maildir, "refuse")):
            return "451 4.3.0 Try again later"
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(msg.get("Subject", "")),
            "text": text.get_content() if text is not None else "",
            "html": html.get_content() if html is not None else "",
            "headers": {k: str(v) for k, v in msg.items()},
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": session.auth_data.decode() if session.authenticated else None,
        }
        with self.lock:
            self.count += 1
            n = self.count
        tmp = os.path.join(self.maildir, ".%d.tmp" % n)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.maildir, "%d.json" % n))
        return "250 2.0.0 OK"


class Authenticator:
    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == self.user and auth_data.password == self.password
        if ok:
            return AuthResult(success=True, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)  # aiosmtpd answers 535


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("maildir")
    parser.add_argument("port_file")
    parser.add_argument("port", nargs="?", type=int, default=0)
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    parser.add_argument("--auth-in-clear", action="store_true")
    args = parser.parse_args()
    maildir, port_file, port = args.maildir, args.port_file, args.port
    smtp_options = {}
    controller_options = {}
    for pair, key in ((args.starttls, "tls_context"), (args.smtps, "ssl_context")):
        if pair:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(pair[0], pair[1])
            (smtp_options if key == "tls_context" else controller_options)[key] = context
    if args.starttls:
        smtp_options["require_starttls"] = True
    if args.auth:
        user, password = args.auth.split(":", 1)
        smtp_options["authenticator"] = Authenticator(user, password)
        smtp_options["auth_required"] = True
        smtp_options["auth_require_tls"] = not args.auth_in_clear
    os.makedirs(maildir, exist_ok=True)
    # Numbering continues after a restart on the same directory.
    sink = Sink(maildir)
    sink.count = len([f for f in os.listdir(maildir) if f.endswith(".json")])
    controller = Controller(sink, hostname="127.0.0.1", port=port, **controller_options,
                            **smtp_options)
    if port == 0:
        # aiosmtpd 1.4 cannot bind port 0 itself: find a free one first.
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        controller.port = s.getsockname()[1]
        s.close()
    controller.start()
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(controller.port))
    os.rename(tmp, port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
