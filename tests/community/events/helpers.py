"""Arranging event tests: events made directly in the database, and the event form's data."""

from datetime import timedelta

from cta_learning.accounts.models import User
from cta_learning.community.events.models import Event, EventPriority
from cta_learning.database import utcnow
from cta_learning.extensions import db


def make_event(app, organiser: User | None = None, priorities=(), **fields) -> Event:
    """A published event a week from now (detached); `fields` override any column."""
    start = utcnow().replace(microsecond=0, second=0) + timedelta(days=7)
    values = {
        "status": "published",
        "kind": "peer_exchange",
        "title": "Inclusive recovery: a peer exchange",
        "summary": "Cities share what worked.",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "timezone": "Europe/Paris",
        "online_url": "https://meet.example.org/exchange",
        "languages": ["en", "fr", "es"],
        "audience": "everyone",
        "created_by_id": organiser.id if organiser else None,
        "published_at": utcnow(),
    }
    values.update(fields)
    with app.app_context():
        event = Event(**values)
        event.priority_links = [EventPriority(priority_id=p) for p in priorities]
        db.session.add(event)
        db.session.commit()
        db.session.refresh(event)
        db.session.expunge(event)
        return event


TEXTS = ("title", "summary", "description", "objectives", "expected_results")


def event_form(**overrides) -> dict:
    """What an organiser types in the event form (times in Europe/Paris), written in English;
    `title=` and the other texts are the English ones, `fr_title=` a French one."""
    data = {
        "language": "en",
        "en-title": "Networking meeting of the Mayors Mechanism",
        "kind": "networking",
        "en-summary": "National and local governments on partnerships for inclusive recovery.",
        "en-description": "A **dynamic dialogue** between national and city representatives.",
        "en-objectives": "Share priorities for joint action.",
        "en-expected_results": "Concrete ways to bring partnerships to the regional reviews.",
        "timezone": "Europe/Paris",
        "start_date": "2027-01-22",
        "start_time": "16:00",
        "end_date": "2027-01-22",
        "end_time": "18:00",
        "format": "online",
        "online_url": "https://meet.example.org/networking",
        "venue": "",
        "languages": ["en", "fr", "es", "ar"],
        "priority_ids": ["1", "3"],
        "audience": "everyone",
        "capacity": "",
        "deadline_date": "",
        "deadline_time": "",
    }
    for name, value in overrides.items():
        if name[:3] in ("en_", "fr_", "es_") and name[3:] in TEXTS:
            data[f"{name[:2]}-{name[3:]}"] = value
        elif name in TEXTS:
            data[f"en-{name}"] = value
        else:
            data[name] = value
    return data
