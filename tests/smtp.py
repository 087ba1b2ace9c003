"""A real SMTP server on loopback for the tests where mail matters (aiosmtpd), on a free port.

It records every message it accepts and refuses, as a real server would, any recipient whose address starts
with "nobody@". `stop()` and `start()` take it down and bring it back on the same port.
"""

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header

from aiosmtpd.controller import Controller

REFUSED_ANSWER = "550 5.1.1 No such mailbox here"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    recipient: str
    subject: str
    body: str


@dataclass
class Recorder:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return REFUSED_ANSWER
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(parsed["Subject"] or "")))
        body = parsed.get_payload(decode=True).decode(parsed.get_content_charset() or "utf-8")
        with self.lock:
            self.received += [Received(to, subject, body) for to in envelope.rcpt_tos]
        return "250 Message accepted for delivery"

    def counts(self) -> Counter:
        with self.lock:
            return Counter((each.recipient, each.subject) for each in self.received)


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self._controller = None

    def start(self) -> None:
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_TIMEOUT": 5,
        }
