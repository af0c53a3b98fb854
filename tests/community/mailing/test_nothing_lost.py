"""A campaign to 500 subscribers over a real SMTP server that refuses, then goes down, then
comes back: everyone still subscribed gets exactly one copy, nobody who left gets one.

The server is aiosmtpd on loopback (a new port per test). Delivery is driven by hand with
`deliver_due()`, one outbox batch (MAIL_BATCH_SIZE = 50) per call, so each step of the story
happens between two known calls. The only shortcut is time: messages waiting for their retry
are made due at once instead of waiting minutes for the backoff.
"""

from collections import Counter

import pytest
from sqlalchemy import func, insert, select

from cta_learning.community.mailing import subscriptions
from cta_learning.community.mailing.campaigns import (
    pause,
    queue_batch,
    resume,
    schedule,
)
from cta_learning.community.mailing.models import (
    Campaign,
    CampaignRecipient,
    Subscriber,
    SubscriberTopic,
)
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.delivery import deliver_due
from cta_learning.mail.models import OutboxMessage
from tests.mail.smtp import SmtpServer, make_all_due

SUBSCRIBERS = 500
LANGUAGES = ("en", "fr", "es")
SUBJECTS = {"en": "Spring news", "fr": "Nouvelles du printemps", "es": "Noticias de primavera"}
BODIES = {
    "en": "The Call meets in **Dakar**.",
    "fr": "L'Appel se réunit à **Dakar**.",
    "es": "El Llamamiento se reúne en **Dakar**.",
}
OUTBOX_BATCH = 50
QUEUE_BATCH = 100


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def configure(app, port: int) -> None:
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_STARTTLS=False,
        SMTP_TIMEOUT=5,
        MAIL_BATCH_SIZE=OUTBOX_BATCH,
        MAIL_RETRY_HOURS=48,
    )


def add_subscribers(app, number: int) -> dict[str, str]:
    """Subscribed, confirmed addresses on the "events" topic, in bulk; {address: language}."""
    now = utcnow()
    languages = {
        f"reader{n:04d}@list.example.org": LANGUAGES[n % len(LANGUAGES)] for n in range(number)
    }
    with app.app_context():
        db.session.execute(
            insert(Subscriber),
            [
                {
                    "email": email,
                    "name": f"Reader {email[6:10]}",
                    "language": language,
                    "status": "subscribed",
                    "consent_source": "signup",
                    "consented_at": now,
                    "opt_in_at": now,
                    "opt_in_ip": "127.0.0.1",
                }
                for email, language in languages.items()
            ],
        )
        ids = db.session.scalars(select(Subscriber.id)).all()
        db.session.execute(
            insert(SubscriberTopic), [{"subscriber_id": i, "topic": "events"} for i in ids]
        )
        db.session.commit()
    return languages


def new_campaign(app) -> int:
    with app.app_context():
        campaign = Campaign(
            subjects=SUBJECTS, bodies=BODIES, topics=["events"], audience="subscribers"
        )
        db.session.add(campaign)
        db.session.flush()
        schedule(campaign, utcnow(), None)
        db.session.commit()
        return campaign.id


def queue(app, campaign_id: int, batches: int) -> int:
    """What `flask mailing dispatch` does, for a given number of batches."""
    queued = 0
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        for _ in range(batches):
            queued += queue_batch(campaign, utcnow(), QUEUE_BATCH)
            db.session.commit()
    return queued


def deliver(app, times: int) -> tuple[int, int]:
    sent = failed = 0
    with app.app_context():
        for _ in range(times):
            batch_sent, batch_failed = deliver_due()
            sent, failed = sent + batch_sent, failed + batch_failed
    return sent, failed


def deliver_everything_due(app) -> int:
    sent = 0
    with app.app_context():
        for _ in range(SUBSCRIBERS):  # a bound, far above what is needed
            batch_sent, batch_failed = deliver_due()
            assert batch_failed == 0
            if batch_sent == 0:
                return sent
            sent += batch_sent
    raise AssertionError("the outbox never ran dry")


def statuses(app) -> Counter:
    with app.app_context():
        return Counter(
            dict(
                db.session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                ).all()
            )
        )


def assert_waiting_for_a_retry(app) -> None:
    """Every message tried while the server was away is queued again for later, none lost."""
    now = utcnow()
    with app.app_context():
        tried = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.attempts > 0, OutboxMessage.status != "sent")
        ).all()
        assert tried
        for message in tried:
            assert message.status == "queued", message
            assert message.next_attempt_at > now, message
            assert message.locked_until is None, message
            assert message.last_error, message


def unsubscribe_link(app, address: str) -> str:
    """The path of the one-click link in the List-Unsubscribe header of their message."""
    with app.app_context():
        headers = db.session.scalar(
            select(OutboxMessage.headers).where(OutboxMessage.to_address == address)
        )
    url = headers["List-Unsubscribe"].strip("<>")
    return url.removeprefix(app.config["PUBLIC_URL"])


# The SMTP server goes down on purpose with the worker connected: aiosmtpd then leaves the
# server side of that connection to the garbage collector, which warns (the test's server).
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_nothing_is_lost_or_doubled_when_the_server_refuses_and_goes_down(app, client, smtp):
    configure(app, smtp.port)
    recorder = smtp.recorder
    languages = add_subscribers(app, SUBSCRIBERS)
    campaign_id = new_campaign(app)

    # 300 of 500 queued; two outbox batches delivered.
    assert queue(app, campaign_id, 3) == 300
    assert deliver(app, 2) == (100, 0)
    assert sum(recorder.recipients().values()) == 100

    # The server accepts 20 more, then refuses (421) and the connection is dropped.
    recorder.refuse_after(20)
    assert deliver(app, 1) == (20, 30)
    assert_waiting_for_a_retry(app)

    # The server goes down: every attempt fails, nothing is sent, nothing given up.
    smtp.stop()
    received_before_the_stop = recorder.recipients()
    assert deliver(app, 4) == (0, 150)  # three batches; the fourth call finds nothing due
    assert_waiting_for_a_retry(app)
    assert statuses(app) == {"sent": 120, "queued": 180}
    assert recorder.recipients() == received_before_the_stop

    # While it is down, 20 people who have not received it leave: 10 whose message waits in
    # the outbox (by the one-click link of their message), 10 not even queued yet.
    received = set(recorder.recipients())
    with app.app_context():
        waiting = db.session.scalars(
            select(OutboxMessage.to_address)
            .where(OutboxMessage.status == "queued")
            .order_by(OutboxMessage.id)
        ).all()
    queued = set(waiting) | received
    left_waiting = waiting[::18][:10]
    left_unqueued = [a for a in sorted(languages) if a not in queued][::19][:10]
    assert len(left_waiting) == len(left_unqueued) == 10
    assert not (set(left_waiting) | set(left_unqueued)) & received
    for address in left_waiting:
        response = client.post(
            unsubscribe_link(app, address), data={"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 204
    with app.app_context():
        for address in left_unqueued:
            assert subscriptions.unsubscribe(subscriptions.find(address), "page", utcnow())
        db.session.commit()
    left = set(left_waiting) | set(left_unqueued)
    assert statuses(app) == {"sent": 120, "queued": 170, "failed": 10}

    # The campaign is paused while the server is down: what waits in the outbox is held,
    # and stays held even once due and once the server is back (on the same port).
    with app.app_context():
        assert pause(db.session.get(Campaign, campaign_id), None) == 170
        db.session.commit()
    make_all_due(app)
    assert deliver(app, 1) == (0, 0)
    smtp.start()
    recorder.refuse_after(None)
    assert deliver(app, 1) == (0, 0)
    assert sum(recorder.recipients().values()) == 120

    # Resumed: the held messages go again, and the rest of the campaign is queued by the
    # command, skipping those who left.
    with app.app_context():
        assert resume(db.session.get(Campaign, campaign_id), None) == 170
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["mailing", "dispatch", "--batch-size", "100"])
    assert result.exit_code == 0, result.output
    assert "190 messages queued (sent)" in result.output
    make_all_due(app)
    assert deliver_everything_due(app) == 360
    assert deliver(app, 1) == (0, 0)

    # Everyone still subscribed got exactly one copy, in their language, with the one-click
    # unsubscribe headers; nobody who left got anything.
    counts = recorder.recipients()
    assert set(counts) == set(languages) - left
    assert set(counts.values()) == {1}
    assert sum(counts.values()) == SUBSCRIBERS - len(left) == 480
    message_ids = Counter(message["Message-ID"] for _, message in recorder.received)
    assert len(message_ids) == 480 and set(message_ids.values()) == {1}
    for recipient, message in recorder.received:
        assert message["Subject"] == SUBJECTS[languages[recipient]]
        assert message["List-Unsubscribe"].startswith(
            "<https://learning.example.org/mailing/unsubscribe/"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert statuses(app) == {"sent": 480, "failed": 10}
    with app.app_context():
        withdrawn = db.session.scalars(
            select(OutboxMessage.last_error).where(OutboxMessage.status == "failed")
        ).all()
        assert all(error.startswith("withdrawn") for error in withdrawn)
        assert db.session.get(Campaign, campaign_id).status == "sent"
        # Each recipient is recorded with their own message.
        mismatched = (
            select(func.count())
            .select_from(CampaignRecipient)
            .join(Subscriber, Subscriber.id == CampaignRecipient.subscriber_id)
            .join(OutboxMessage, OutboxMessage.id == CampaignRecipient.message_id)
            .where(OutboxMessage.to_address != Subscriber.email)
        )
        assert db.session.scalar(mismatched) == 0
        assert db.session.scalar(select(func.count()).select_from(CampaignRecipient)) == 490


def test_a_recipient_who_leaves_while_their_batch_is_being_sent_gets_nothing(app, client, smtp):
    """The batch is claimed, then its third recipient leaves while the first is delivered:
    the worker must not send what was withdrawn after it claimed it."""
    configure(app, smtp.port)
    add_subscribers(app, 5)
    campaign_id = new_campaign(app)
    assert queue(app, campaign_id, 1) == 5
    with app.app_context():
        addresses = db.session.scalars(
            select(OutboxMessage.to_address).order_by(OutboxMessage.id)
        ).all()
    link = unsubscribe_link(app, addresses[2])
    responses = []

    def leave_during_the_first_delivery(recipient):
        if recipient == addresses[0] and not responses:
            responses.append(client.post(link, data={"List-Unsubscribe": "One-Click"}))

    smtp.recorder.on_message = leave_during_the_first_delivery
    assert deliver(app, 1) == (4, 0)
    assert [response.status_code for response in responses] == [204]
    assert set(smtp.recorder.recipients()) == set(addresses) - {addresses[2]}
    assert statuses(app) == {"sent": 4, "failed": 1}


def test_someone_who_joins_behind_the_queueing_front_is_not_forgotten(app):
    """Queueing goes on from the last recipient queued; one who confirms meanwhile with a
    lower id is still queued, once, before the campaign is done."""
    add_subscribers(app, 6)
    with app.app_context():
        late = db.session.scalar(select(Subscriber).order_by(Subscriber.id).offset(1).limit(1))
        late.status, late_id = "pending", late.id
        db.session.commit()
    campaign_id = new_campaign(app)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert queue_batch(campaign, utcnow(), 2) == 2
        db.session.commit()
        db.session.get(Subscriber, late_id).status = "subscribed"
        db.session.commit()
        queued = [queue_batch(campaign, utcnow(), 2) for _ in range(5)]
        db.session.commit()
        assert queued == [2, 1, 1, 0, 0] and campaign.status == "sent"
        recipients = db.session.scalars(
            select(CampaignRecipient.subscriber_id).where(
                CampaignRecipient.campaign_id == campaign_id
            )
        ).all()
        assert sorted(recipients) == sorted(db.session.scalars(select(Subscriber.id)).all())
