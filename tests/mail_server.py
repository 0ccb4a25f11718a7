"""A real SMTP server for the tests (aiosmtpd), behind the `mailbox` fixture in conftest: it keeps what it
accepts and refuses one address, as a real server would."""

import socket
from email import message_from_bytes

from aiosmtpd.controller import Controller

REFUSED = "refused@example.org"


class Mailbox:
    """The server's handler: `received` holds every message it accepted, parsed."""

    def __init__(self):
        self.received: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [message for message in self.received if message["To"] == address]


def start(handler: Mailbox) -> tuple[Controller, int]:
    with socket.socket() as probe:  # a free port: the controller checks its server by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
