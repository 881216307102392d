"""A real SMTP receiver on 127.0.0.1 for the mail tests: Django's SMTP backend and smtplib talk to it over a socket.

It speaks just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and can refuse the first ``refuse``
messages at DATA with ``451`` — what a busy or greylisting server answers — so the mail path's retries meet the
error smtplib really raises. Written here rather than taken from aiosmtpd to add no dependency for one test helper.
"""

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Receiver:
    port: int
    refuse: int = 0  # how many DATA commands to refuse before accepting (-1: refuse all)
    data_commands: int = 0
    messages: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for raw in self.messages]  # type: ignore[misc]

    def _should_refuse(self) -> bool:
        with self.lock:
            self.data_commands += 1
            return self.refuse < 0 or self.data_commands <= self.refuse


class _Handler(socketserver.StreamRequestHandler):
    receiver: Receiver

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 stagewise-test ESMTP")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith("EHLO"):
                self.wfile.write(b"250-stagewise-test\r\n250 8BITMIME\r\n")
                self.wfile.flush()
            elif command.startswith("DATA"):
                if self.receiver._should_refuse():
                    self.reply("451 4.3.0 Busy, try again later")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with self.receiver.lock:
                    self.receiver.messages.append(b"".join(lines))
                self.reply("250 2.0.0 Queued")
            elif command.startswith("QUIT"):
                self.reply("221 2.0.0 Bye")
                return
            else:  # HELO, MAIL FROM, RCPT TO, RSET, NOOP
                self.reply("250 2.0.0 OK")


@contextmanager
def smtp_receiver(*, refuse: int = 0) -> Iterator[Receiver]:
    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    handler = type("Handler", (_Handler,), {})
    server = Server(("127.0.0.1", 0), handler)
    receiver = Receiver(port=server.server_address[1], refuse=refuse)
    handler.receiver = receiver
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
