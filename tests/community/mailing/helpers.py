"""Arranging mailing-list tests: subscribers made directly, their links, the campaign form."""

import re

from sqlalchemy import select

from cta_learning.community.mailing import subscriptions
from cta_learning.community.mailing.models import Campaign, Subscriber, SubscriberTopic
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import OutboxMessage
from tests.conftest import outbox

PUBLIC = "https://learning.example.org"


def make_subscriber(
    app, email: str, language: str = "en", topics=("global_processes",), **fields
) -> Subscriber:
    """A subscriber who confirmed by double opt-in (detached); `fields` override any column."""
    values = {
        "status": "subscribed",
        "name": email.split("@")[0].title(),
        "consent_source": "signup",
        "consented_at": utcnow(),
        "opt_in_at": utcnow(),
        "opt_in_ip": "192.0.2.1",
        **fields,
    }
    with app.app_context():
        subscriber = Subscriber(email=email, language=language, **values)
        subscriber.topic_links = [SubscriberTopic(topic=topic) for topic in topics]
        db.session.add(subscriber)
        db.session.commit()
        db.session.refresh(subscriber)
        db.session.expunge(subscriber)
        return subscriber


def token_for(app, subscriber_id: int) -> str:
    """The signed preferences token every message of the subscriber carries."""
    with app.test_request_context():
        return subscriptions.preferences_token(db.session.get(Subscriber, subscriber_id))


def subscriber(app, email: str) -> Subscriber | None:
    """The subscriber of an address with its topics loaded (detached), or None."""
    with app.app_context():
        found = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        if found is not None:
            _ = found.topics
            db.session.expunge(found)
        return found


def campaign_form(**overrides) -> dict:
    """What an admin types to write a campaign in English and French."""
    return {
        "subject_en": "The IMRF is coming",
        "body_en": "Local governments **speak** at the [IMRF](https://www.un.org/imrf).",
        "subject_fr": "Le FIEM approche",
        "body_fr": "Les gouvernements locaux **prennent la parole** au FIEM.",
        "subject_es": "",
        "body_es": "",
        "topics": ["global_processes"],
        "audience": "subscribers",
        "region": "",
        "priority_id": "",
        **overrides,
    }


def write_campaign(client, **overrides) -> int:
    """Write a campaign as the signed-in admin; returns its id."""
    response = client.post("/admin/mailing/campaigns/new", data=campaign_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def send_now(client, campaign_id: int):
    response = client.post(f"/admin/mailing/campaigns/{campaign_id}/schedule", data={"when": "now"})
    assert response.status_code == 302, response.status_code
    return response


def campaign_messages(app, campaign_id: int, to: str | None = None) -> list[OutboxMessage]:
    """The outbox messages of a campaign (detached), optionally for one address."""
    return [m for m in outbox(app, to=to) if m.batch == f"campaign:{campaign_id}"]


def load_campaign(app, campaign_id: int) -> Campaign:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        db.session.expunge(campaign)
        return campaign


def unsubscribe_path(message: OutboxMessage) -> str:
    """The path of the List-Unsubscribe header's link."""
    header = message.headers["List-Unsubscribe"]
    match = re.fullmatch(rf"<{re.escape(PUBLIC)}(/mailing/unsubscribe/[\w.-]+)>", header)
    assert match, header
    return match.group(1)


def preferences_path(message: OutboxMessage) -> str:
    match = re.search(rf"{re.escape(PUBLIC)}(/mailing/preferences/[\w.-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)
