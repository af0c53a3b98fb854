"""A real SMTP server (aiosmtpd on loopback) that records, refuses or drops on demand, and the
shortcut the delivery tests take through time."""

import threading
import time
from collections import Counter
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from sqlalchemy import update

from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import OutboxMessage
from tests.servers import free_port


class Recorder:
    """The server's handler: keeps every accepted message; can refuse or drop the connection."""

    def __init__(self):
        self.received: list[tuple[str, object]] = []
        self.refused_recipients: set[str] = set()  # answered 550 at RCPT
        self.drop_after: int | None = None  # accept this many more, then drop the connection
        self.refusing = False  # answer 421 to every message (a server about to stop)
        self.accept_more: int | None = None  # accept this many more, then answer 421
        self.on_message = None  # called with each recipient, before answering
        self.lock = threading.Lock()

    def refuse_after(self, number: int | None) -> None:
        self.accept_more = number

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refusing or self.accept_more == 0:
            return "421 4.3.2 Service shutting down"
        if self.accept_more is not None:
            self.accept_more -= 1
        if self.drop_after is not None:
            if self.drop_after <= 0:
                self.drop_after = None
                server.transport.close()  # the connection drops before the answer
                return "451 4.3.0 dropped"
            self.drop_after -= 1
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, message))
        if self.on_message is not None:
            for recipient in envelope.rcpt_tos:
                self.on_message(recipient)
        return "250 2.0.0 OK"

    def recipients(self) -> Counter:
        with self.lock:
            return Counter(recipient for recipient, _ in self.received)

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(message["Message-ID"] for _, message in self.received)


class SmtpServer:
    """aiosmtpd on loopback, which can be stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def restart(self, down_for: float) -> None:
        """Refuse new messages for a moment (so none is half-accepted), stop, wait, start."""
        self.recorder.refusing = True
        time.sleep(0.3)
        self.stop()
        time.sleep(down_for)
        self.recorder.refusing = False
        self.start()

    def configure(self, app, **settings) -> None:
        app.config.update(
            SMTP_HOST="127.0.0.1", SMTP_PORT=self.port, SMTP_STARTTLS=False, SMTP_TIMEOUT=5
        )
        app.config.update(settings)


def make_all_due(app) -> None:
    """Stands for the backoff running out: every waiting message is due now."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "queued")
            .values(next_attempt_at=utcnow())
        )
        db.session.commit()
