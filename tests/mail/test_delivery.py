"""Delivering the outbox over a real SMTP server on loopback, with retries."""

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.delivery import deliver_due
from cta_learning.mail.models import OutboxMessage
from cta_learning.mail.operations import queue_email
from tests.conftest import fetch, outbox
from tests.servers import free_port


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def configure(app, port: int) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_TIMEOUT=5)


def queue(app, to="awa@dakar.example.org", name="Awa Diop", locale="fr"):
    with app.app_context():
        queue_email(to, "password_changed", locale=locale, to_name=name)
        db.session.commit()


def test_worker_delivers_text_and_html_in_the_recipients_language(app, smtp_server):
    controller, inbox = smtp_server
    configure(app, controller.port)
    queue(app)
    with app.app_context():
        assert deliver_due() == (1, 0)
    [message] = inbox.messages
    assert message["To"] == "Awa Diop <awa@dakar.example.org>"
    assert message["Content-Language"] == "fr"
    assert message.is_multipart()
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    assert fetch(app, OutboxMessage, to_address="awa@dakar.example.org").status == "sent"
    with app.app_context():
        assert deliver_due() == (0, 0)  # nothing is sent twice
    assert len(inbox.messages) == 1


def test_server_down_means_retry_later_then_delivery_once(app, smtp_server):
    controller, inbox = smtp_server
    configure(app, free_port())  # nobody listens there
    queue(app)
    with app.app_context():
        assert deliver_due() == (0, 1)
    waiting = fetch(app, OutboxMessage, to_address="awa@dakar.example.org")
    assert waiting.status == "queued" and waiting.attempts == 1 and waiting.last_error
    assert waiting.next_attempt_at > utcnow()
    configure(app, controller.port)
    with app.app_context():
        assert deliver_due() == (0, 0)  # not due yet: backoff
        db.session.get(OutboxMessage, waiting.id).next_attempt_at = utcnow()
        db.session.commit()
        assert deliver_due() == (1, 0)
    assert len(inbox.messages) == 1


def test_message_fails_for_good_once_its_retry_time_is_over(app):
    configure(app, free_port())
    app.config["MAIL_RETRY_HOURS"] = 0
    queue(app)
    with app.app_context():
        deliver_due()
    assert fetch(app, OutboxMessage, to_address="awa@dakar.example.org").status == "failed"


def test_header_injection_in_a_name_cannot_add_recipients(app, smtp_server):
    controller, inbox = smtp_server
    configure(app, controller.port)
    queue(app, name="Awa\r\nBcc: victim@example.org")
    with app.app_context():
        deliver_due()
    [message] = inbox.messages
    assert message["Bcc"] is None
    assert "victim@example.org" not in message["To"] or "\n" not in message["To"]


def test_mail_send_without_smtp_keeps_messages_for_the_mailbox(app):
    queue(app)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "No SMTP server is configured" in result.output
    assert outbox(app)[0].status == "queued"


def test_admin_mailbox_shows_messages(app, client, auth):
    queue(app)
    auth.login_as("admin")
    page = client.get("/admin/mailbox/").get_data(as_text=True)
    assert "awa@dakar.example.org" in page and "development mailbox" in page
    message = outbox(app)[0]
    assert "Awa Diop" in client.get(f"/admin/mailbox/{message.id}").get_data(as_text=True)
    assert client.get("/admin/mailbox/999999").status_code == 404


def test_a_pdf_attachment_is_kept_in_the_outbox_and_leaves_as_its_bytes(
    app, client, auth, smtp_server
):
    from cta_learning.printing import attachment

    document = b"%PDF-1.7\n\x00\xff\xfe binary \x80 content\n%%EOF"
    with app.app_context():
        queue_email(
            "awa@dakar.example.org",
            "password_changed",
            locale="fr",
            attachments=[attachment(document, "certificate-course.pdf")],
        )
        db.session.commit()
    message = outbox(app)[0]
    auth.login_as("admin")
    served = client.get(f"/admin/mailbox/{message.id}/attachments/1")
    assert served.get_data() == document
    assert served.headers["Content-Type"] == "application/pdf"

    controller, inbox = smtp_server
    configure(app, controller.port)
    with app.app_context():  # a worker started after the message was queued
        assert deliver_due() == (1, 0)
    [received] = inbox.messages
    [pdf] = [part for part in received.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "certificate-course.pdf"
    assert pdf.get_payload(decode=True) == document
