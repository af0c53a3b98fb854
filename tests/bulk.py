"""Many rows quickly, for tests that check query counts do not grow with the data."""

from datetime import timedelta

from sqlalchemy import bindparam, insert, select, update

from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.community.events.models import Event, EventPriority, Registration
from cta_learning.community.events.versions import EVENTS
from cta_learning.content_versions import bump
from cta_learning.database import utcnow
from cta_learning.extensions import db

BATCH = 2_000


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def add_organisations(app, number: int, members_each: int = 2) -> None:
    """Add `number` organisations, each with `members_each` confirmed members."""
    now = utcnow()
    with app.app_context():
        first = db.session.scalar(select(db.func.count(Organisation.id))) or 0
        _insert(
            Organisation.__table__,
            [
                {
                    "kind": "lrg",
                    "name": f"Bulk city {first + n:06d}",
                    "country": "BR",
                    "region": "americas",
                    "preferred_language": "es",
                    "policy_processes": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(number)
            ],
        )
        organisation_ids = db.session.scalars(
            select(Organisation.id)
            .where(Organisation.name.like("Bulk city %"))
            .order_by(Organisation.id)
            .offset(first)
        ).all()
        _insert(
            User.__table__,
            [
                {
                    "email": f"bulk{org_id}-{n}@bulk.example.org",
                    "name": f"Bulk {org_id}-{n}",
                    "password_hash": "x",
                    "role": "member",
                    "locale": "en",
                    "timezone": "UTC",
                    "is_active": True,
                    "session_token": f"bulk-{org_id}-{n}",
                    "created_at": now,
                    "email_confirmed_at": now,
                }
                for org_id in organisation_ids
                for n in range(members_each)
            ],
        )
        users = dict(
            db.session.execute(
                select(User.session_token, User.id).where(User.email.like("bulk%"))
            ).all()
        )
        _insert(
            Membership.__table__,
            [
                {
                    "organisation_id": org_id,
                    "user_id": users[f"bulk-{org_id}-{n}"],
                    "role": "owner" if n == 0 else "member",
                    "joined_at": now,
                }
                for org_id in organisation_ids
                for n in range(members_each)
            ],
        )
        db.session.commit()


EVENT_KINDS = ("webinar", "peer_exchange", "briefing", "networking", "workshop")
EVENT_LANGUAGES = (["en", "fr"], ["en", "es"], ["en", "fr", "es", "ar"], [])


def add_events(app, number: int, registrations: int = 0, per_person: int = 10) -> list[int]:
    """Add `number` published events and `registrations` registrations; the new event ids.

    Events alternate past and upcoming (three hours apart, from now on either side), cycle through
    the kinds and interpretation languages, have one or two priority areas (1 to 8), and every
    fifth is a session of the event before it (a series). Registrations are spread over the new
    events by new people, `per_person` events each (so each event has distinct people): mostly
    confirmed, every tenth on the waiting list, every twentieth cancelled.
    """
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        first = db.session.scalar(select(db.func.max(Event.id))) or 0
        rows = []
        for n in range(number):
            hours = (n // 2 + 1) * (1 if n % 2 == 0 else -1)
            start = now + timedelta(hours=hours * 3)
            rows.append(
                {
                    "status": "published",
                    "kind": EVENT_KINDS[n % len(EVENT_KINDS)],
                    "format": "online",
                    "title": f"Bulk event {first + 1 + n:06d}",
                    "summary": "Cities share what worked.",
                    "description": "",
                    "objectives": "",
                    "expected_results": "",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "timezone": "Europe/Paris",
                    "online_url": "https://meet.example.org/bulk",
                    "languages": EVENT_LANGUAGES[n % len(EVENT_LANGUAGES)],
                    "audience": "everyone",
                    "capacity": 50 if n % 3 == 0 else None,
                    "seats_taken": 0,
                    "requires_approval": False,
                    "materials_summary": "What was said." if hours < 0 else "",
                    "documents": [],
                    "sequence": 0,
                    "created_at": now,
                    "updated_at": now,
                    "published_at": now,
                    "cancel_reason": "",
                }
            )
        _insert(Event.__table__, rows)
        event_ids = db.session.scalars(
            select(Event.id).where(Event.id > first).order_by(Event.id)
        ).all()
        sessions = [
            {"session": event_id, "series": event_ids[n - 1]}
            for n, event_id in enumerate(event_ids)
            if n % 5 == 4
        ]
        if sessions:
            table = Event.__table__
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("session"))
                .values(series_id=bindparam("series")),
                sessions,
            )
        _insert(
            EventPriority.__table__,
            [
                {"event_id": event_id, "priority_id": priority}
                for event_id in event_ids
                for priority in {event_id % 8 + 1, (event_id * 3) % 8 + 1}
            ],
        )
        if registrations:
            _add_registrations(event_ids, registrations, min(per_person, number), now)
        bump(EVENTS)  # bulk inserts bypass the flush that bumps it
        db.session.commit()
        return event_ids


def _add_registrations(event_ids: list[int], number: int, per_person: int, now) -> None:
    people = -(-number // per_person)
    first = db.session.scalar(select(db.func.max(User.id))) or 0
    _insert(
        User.__table__,
        [
            {
                "email": f"registrant{first + n}@bulk.example.org",
                "name": f"Registrant {first + n}",
                "password_hash": "x",
                "role": "member",
                "locale": "en",
                "timezone": "UTC",
                "is_active": True,
                "session_token": f"registrant-{first + n}",
                "created_at": now,
                "email_confirmed_at": now,
            }
            for n in range(people)
        ],
    )
    user_ids = db.session.scalars(
        select(User.id).where(User.id > first).order_by(User.id).limit(people)
    ).all()
    rows = []
    for index in range(number):
        person, nth = divmod(index, per_person)
        status = "cancelled" if index % 20 == 0 else "waiting" if index % 10 == 5 else "confirmed"
        rows.append(
            {
                "event_id": event_ids[(person * per_person + nth) % len(event_ids)],
                "user_id": user_ids[person],
                "status": status,
                "language": None,
                "registered_at": now,
                "queued_at": now,
                "confirmed_at": now if status == "confirmed" else None,
            }
        )
    _insert(Registration.__table__, rows)
    taken = (
        select(db.func.count())
        .where(Registration.event_id == Event.id, Registration.status == "confirmed")
        .scalar_subquery()
    )
    db.session.execute(
        update(Event).where(Event.id >= event_ids[0]).values(seats_taken=taken),
        execution_options={"synchronize_session": False},
    )
