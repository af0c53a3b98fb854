"""One message's failure never stops the others; a dropped connection or a long outage of the
SMTP server loses nothing and burns no attempts of messages that were not being sent.

Over a real SMTP server (aiosmtpd on loopback, see tests/mail/smtp.py).
"""

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail import claims, delivery
from cta_learning.mail.delivery import deliver_due, retry_delay
from cta_learning.mail.models import OutboxMessage
from cta_learning.mail.operations import queue_email
from tests.conftest import outbox
from tests.mail.smtp import SmtpServer, make_all_due
from tests.servers import free_port

POISONED = "andré@example.org"
REFUSED = "nobody@refused.example.org"


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def queue(app, *addresses: str) -> None:
    with app.app_context():
        for address in addresses:
            queue_email(address, "password_changed", locale="en", to_name="Someone")
        db.session.commit()


def insert_raw(app, address: str) -> None:
    """A row as an older version let in: nothing checks it on the way to the outbox."""
    with app.app_context():
        db.session.execute(
            insert(OutboxMessage).values(
                category="account",
                to_address=address,
                subject="Hello",
                body_text="Hello",
                body_html="<p>Hello</p>",
                headers={},
                attachments=[],
            )
        )
        db.session.commit()


def by_address(app) -> dict[str, OutboxMessage]:
    return {message.to_address: message for message in outbox(app)}


def deliver_until_dry(app) -> None:
    with app.app_context():
        for _ in range(20):
            if deliver_due() == (0, 0):
                return
    raise AssertionError("the outbox never ran dry")


def test_a_poisoned_message_fails_alone_and_a_later_password_reset_still_leaves(
    app, client, auth, make, smtp
):
    smtp.configure(app, MAIL_BATCH_SIZE=3)  # the poisoned row sits inside a batch
    smtp.recorder.refused_recipients.add(REFUSED)
    user = make.user(email="awa@dakar.example.org")
    queue(app, "first@example.org", "second@example.org")
    insert_raw(app, POISONED)
    queue(app, REFUSED, "third@example.org")
    client.post("/password/forgot", data={"email": user.email})
    assert outbox(app, to=user.email), "the reset is queued behind the poisoned message"

    deliver_until_dry(app)

    received = smtp.recorder.recipients()
    assert set(received) == {
        "first@example.org",
        "second@example.org",
        "third@example.org",
        "awa@dakar.example.org",
    }
    assert set(received.values()) == {1}
    reset = [m for _, m in smtp.recorder.received if m["To"].addresses[0].username == "awa"]
    assert reset[0]["Subject"] == "Choose a new password"
    messages = by_address(app)
    assert messages[POISONED].status == "failed"
    assert "NonASCIILocalPart" in messages[POISONED].last_error
    assert messages[REFUSED].status == "failed" and "550" in messages[REFUSED].last_error
    assert messages["third@example.org"].status == "sent"

    # The reasons are shown in the admin mailbox.
    auth.login_as("admin")
    page = client.get("/admin/mailbox/?status=failed").get_data(as_text=True)
    assert "NonASCIILocalPart" in page and "550" in page
    detail = client.get(f"/admin/mailbox/{messages[POISONED].id}").get_data(as_text=True)
    assert "Last error" in detail and "NonASCIILocalPart" in detail


def test_any_error_while_sending_fails_only_that_message(app, smtp, monkeypatch):
    smtp.configure(app)
    queue(app, "first@example.org", "broken@example.org", "third@example.org")
    real_send = delivery.smtplib.SMTP.send_message

    def send_message(connection, message, *args, **kwargs):
        if message["To"].addresses[0].username == "broken":
            raise UnicodeEncodeError("ascii", "é", 0, 1, "ordinal not in range(128)")
        return real_send(connection, message, *args, **kwargs)

    monkeypatch.setattr(delivery.smtplib.SMTP, "send_message", send_message)
    with app.app_context():
        assert deliver_due() == (2, 1)
    messages = by_address(app)
    assert messages["broken@example.org"].status == "failed"
    assert messages["broken@example.org"].last_error.startswith("UnicodeEncodeError")
    assert set(smtp.recorder.recipients()) == {"first@example.org", "third@example.org"}


def test_a_dropped_connection_is_reopened_and_only_the_message_in_flight_counts(app, smtp):
    smtp.configure(app)
    addresses = [f"reader{n}@example.org" for n in range(10)]
    queue(app, *addresses)
    smtp.recorder.drop_after = 3  # accepts three, then drops the connection on the fourth

    with app.app_context():
        assert deliver_due() == (9, 1)
    messages = by_address(app)
    in_flight = messages[addresses[3]]
    assert in_flight.status == "queued" and in_flight.attempts == 1
    assert "SMTPServerDisconnected" in in_flight.last_error
    assert in_flight.next_attempt_at > utcnow() and in_flight.locked_until is None
    others = [messages[address] for address in addresses if address != addresses[3]]
    assert {(m.status, m.attempts) for m in others} == {("sent", 1)}

    make_all_due(app)
    with app.app_context():
        assert deliver_due() == (1, 0)
    assert smtp.recorder.recipients() == {address: 1 for address in addresses}


def test_messages_not_tried_go_back_untouched_when_reconnecting_fails(app, smtp, monkeypatch):
    smtp.configure(app)
    addresses = [f"reader{n}@example.org" for n in range(6)]
    queue(app, *addresses)
    smtp.recorder.drop_after = 2
    real_connect, connections = delivery._connect, []

    def connect_once():
        connections.append(1)
        if len(connections) > 1:
            raise ConnectionRefusedError(111, "Connection refused")
        return real_connect()

    monkeypatch.setattr(delivery, "_connect", connect_once)
    with app.app_context():
        assert deliver_due() == (2, 4)
    messages = [by_address(app)[address] for address in addresses]
    assert [(m.status, m.attempts) for m in messages] == [
        ("sent", 1),
        ("sent", 1),
        ("queued", 1),  # in flight when the connection dropped
        ("queued", 0),
        ("queued", 0),
        ("queued", 0),
    ]
    now = utcnow()
    assert all(m.locked_until is None for m in messages[2:])
    assert all(m.next_attempt_at <= now and m.last_error is None for m in messages[3:])


def test_the_retry_schedule_doubles_from_one_minute_up_to_an_hour():
    assert [retry_delay(n) for n in range(1, 9)] == [
        timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 60, 60)
    ]


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


def test_six_hours_without_a_server_fail_nothing_and_48_hours_do(app, smtp, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(delivery, "utcnow", clock)
    monkeypatch.setattr(claims, "utcnow", clock)
    smtp.configure(app, SMTP_PORT=free_port())  # nobody listens there: the server is down
    queue(app, "first@example.org", "second@example.org")
    with app.app_context():
        for _ in range(6 * 12):  # a worker polling every five minutes, for six hours
            deliver_due()
            clock.now += timedelta(minutes=5)
    waiting = outbox(app)
    assert {message.status for message in waiting} == {"queued"}
    assert all(10 <= message.attempts <= 12 for message in waiting)  # 1, 2 … 32 min, then hourly
    assert all(message.next_attempt_at <= clock.now + timedelta(hours=1) for message in waiting)

    # The server is back: each waiting message leaves within the hour, once.
    smtp.configure(app)
    with app.app_context():
        for _ in range(12):
            deliver_due()
            clock.now += timedelta(minutes=5)
    assert smtp.recorder.recipients() == {"first@example.org": 1, "second@example.org": 1}

    # A message still failing 48 hours after its first failure is given up.
    smtp.configure(app, SMTP_PORT=free_port())
    queue(app, "late@example.org")
    with app.app_context():
        for _ in range(49):
            deliver_due()
            clock.now += timedelta(hours=1)
    late = by_address(app)["late@example.org"]
    assert late.status == "failed" and "ConnectionRefused" in late.last_error


def test_claims_lock_rows_for_one_worker(app):
    queue(app, "first@example.org", "second@example.org")
    first = outbox(app)[0].id
    with app.app_context():
        assert len(claims.claim("worker-a", 10)) == 2
        assert claims.claim("worker-b", 10) == []
        assert claims.claimed_message(first, "worker-b") is None
        assert not claims.mark_sent(first, "worker-b")
        db.session.commit()
        assert set(db.session.scalars(select(OutboxMessage.status))) == {"queued"}
