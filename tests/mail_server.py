"""A real SMTP server for the tests (aiosmtpd, in a thread of the test process): it keeps the messages it
accepts and refuses one address, as a real server refuses a mailbox that does not exist.

The `mailbox` fixture (tests/conftest.py) points the app at it for one test; the job worker that the
`finish_job` fixture starts is pointed at it for the whole run (TEST_SMTP_HOST and TEST_SMTP_PORT, read by
tests/job_worker.py), so email a background job sends arrives here too."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

REFUSED = "refused@example.org"


class Mailbox:
    """The server's handler: what it accepted, as parsed messages, oldest first."""

    def __init__(self):
        self.received: list[EmailMessage] = []
        self.port = 0

    @property
    def recipients(self) -> list[str]:
        return sorted(message["To"] for message in self.received)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.received if message["To"] == address]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


def free_port() -> int:
    """A port nothing listens on (for now): for a server to start on, or for one that cannot be reached."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    # A port of our own: the controller checks its server has started by connecting to it.
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    return controller, mailbox
