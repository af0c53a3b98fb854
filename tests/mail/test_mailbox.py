"""The admin mailbox shows a message's headers as delivery sends them."""

import html
from email.header import decode_header, make_header

from cta_learning.extensions import db
from cta_learning.mail.delivery import deliver_due
from cta_learning.mail.models import OutboxMessage
from cta_learning.mail.operations import queue_email
from tests.conftest import fetch
from tests.mail.test_delivery import configure, smtp_server  # noqa: F401 - the fixture

UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://learning.example.org/mailing/unsubscribe/abc>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "Reply-To": "secretariat@example.org",
}


def queue_newsletter(app) -> OutboxMessage:
    with app.app_context():
        queue_email(
            "awa@dakar.example.org",
            "password_changed",
            locale="fr",
            to_name="Awa Diop",
            category="campaign",
            headers=UNSUBSCRIBE,
        )
        db.session.commit()
    return fetch(app, OutboxMessage, to_address="awa@dakar.example.org")


def shown_headers(page: str) -> dict[str, str]:
    block = page.split('id="headers">', 1)[1].split("</dl>", 1)[0]
    pairs = [part.split("</dt><dd>") for part in block.split("<dt>")[1:]]
    return {name: html.unescape(value.split("</dd>")[0]) for name, value in pairs}


def test_the_message_page_shows_the_headers_that_are_sent(app, client, auth, smtp_server):  # noqa: F811
    auth.login_as("admin")
    message = queue_newsletter(app)
    page = client.get(f"/admin/mailbox/{message.id}").get_data(as_text=True)
    shown = shown_headers(page)
    assert list(shown)[:4] == ["From", "To", "Subject", "Message-ID"]
    for name, value in UNSUBSCRIBE.items():
        assert shown[name] == value
    assert shown["To"] == "Awa Diop <awa@dakar.example.org>"
    assert shown["Content-Language"] == "fr"
    assert "Content-Type" not in shown  # its boundary changes at each build: never as sent

    controller, inbox = smtp_server
    configure(app, controller.port)
    with app.app_context():
        assert deliver_due() == (1, 0)
    [received] = inbox.messages
    for name, value in shown.items():
        # Decoded as a mail client reads it; the same Message-ID, as at every attempt.
        assert str(make_header(decode_header(received[name]))) == value, name


def test_a_message_that_cannot_be_built_says_why(app, client, auth):
    auth.login_as("admin")
    message = queue_newsletter(app)
    with app.app_context():
        db.session.get(OutboxMessage, message.id).headers = {"X-Broken": "line\nbreak"}
        db.session.commit()
    response = client.get(f"/admin/mailbox/{message.id}")
    assert response.status_code == 200
    assert "This message cannot be built, so it cannot be sent" in response.get_data(as_text=True)
