#!/usr/bin/env python3
"""A loopback SMTP server for the tests (aiosmtpd, Debian's python3-aiosmtpd).

Every mail it accepts becomes <maildir>/<n>.json: {"mail_from", "rcpt_tos", "subject", "text",
"html", "headers"}, with the MIME parts decoded, written to a temporary name and renamed, so a
reader never sees half a file. While <maildir>/refuse exists, DATA is answered 451 (a
temporary failure the courier must retry).

  smtp_sink.py MAILDIR PORT_FILE [PORT]

Listens on 127.0.0.1:PORT (default 0: any free port), writes the port to PORT_FILE once
listening, and serves until SIGTERM.
"""
import email
import email.policy
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


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
        }
        with self.lock:
            self.count += 1
            n = self.count
        tmp = os.path.join(self.maildir, ".%d.tmp" % n)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.maildir, "%d.json" % n))
        return "250 2.0.0 OK"


def main():
    maildir, port_file = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    os.makedirs(maildir, exist_ok=True)
    # Numbering continues after a restart on the same directory.
    sink = Sink(maildir)
    sink.count = len([f for f in os.listdir(maildir) if f.endswith(".json")])
    controller = Controller(sink, hostname="127.0.0.1", port=port)
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
