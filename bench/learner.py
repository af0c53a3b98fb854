"""What the signed-in learner (user 1, owner of organisation 1) has on their own pages.

The random data set may give user 1 nothing on `/my/actions/`, `/events/mine` or the
dashboard's sections; these rows make sure each of those pages shows the learner's own things,
which the runner then checks for (`bench/pages.py`). Added after every bulk insert (and after
PostgreSQL's sequences are moved past the bulk ids), so no explicit ids are needed here.
"""

from datetime import datetime, timedelta

from sqlalchemy import Connection, exists, insert, select, update

from cta_learning.accounts.models import User
from cta_learning.actions.models import Action, ActionPriority
from cta_learning.community.events.models import Event, Registration
from cta_learning.community.mailing import subscriptions
from cta_learning.extensions import db

LEARNER_ID = 1
# Titles the runner looks for: only the learner's own copy of the page holds them.
LEARNER_DRAFT_TITLE = "Learner draft 01"
LEARNER_PUBLISHED_TITLES = ("Learner action 01", "Learner action 02")
UPCOMING_REGISTRATIONS = 3
PAST_REGISTRATIONS = 2


def _add_actions(connection: Connection, organisation_id: int, now: datetime) -> int:
    """Two published actions and a draft of the learner's organisation, copied from action 1."""
    actions = Action.__table__
    first = select(actions).order_by(actions.c.id).limit(1)
    template = dict(connection.execute(first).mappings().one())
    del template["id"]
    added = 0
    for title in (*LEARNER_PUBLISHED_TITLES, LEARNER_DRAFT_TITLE):
        draft = title == LEARNER_DRAFT_TITLE
        row = dict(
            template,
            organisation_id=organisation_id,
            created_by_id=LEARNER_ID,
            title=title,
            status="draft" if draft else "published",
            created_at=now - timedelta(days=2),
            updated_at=now - timedelta(days=1),
            submitted_at=None if draft else now - timedelta(days=1),
            submitted_by_id=None if draft else LEARNER_ID,
            published_at=None if draft else now - timedelta(hours=20),
        )
        action_id = connection.execute(insert(actions).values(row)).inserted_primary_key[0]
        connection.execute(
            insert(ActionPriority.__table__), [{"action_id": action_id, "priority_id": 3}]
        )
        added += 1
    return added


def _events_to_join(connection: Connection, now: datetime, upcoming: bool, count: int) -> list:
    """Published events without a limit of places that the learner is not registered for."""
    events = Event.__table__
    registered = exists().where(
        Registration.__table__.c.event_id == events.c.id,
        Registration.__table__.c.user_id == LEARNER_ID,
    )
    query = select(events.c.id, events.c.published_at, events.c.starts_at).where(
        events.c.status == "published", events.c.capacity.is_(None), ~registered
    )
    if upcoming:
        query = query.where(events.c.starts_at > now).order_by(events.c.starts_at)
    else:
        query = query.where(events.c.ends_at <= now).order_by(events.c.starts_at.desc())
    return list(connection.execute(query.limit(count)))


def _add_registrations(connection: Connection, now: datetime) -> int:
    """Confirmed registrations for a few upcoming events, and a few past ones attended."""
    added = 0
    for upcoming, count in ((True, UPCOMING_REGISTRATIONS), (False, PAST_REGISTRATIONS)):
        for event in _events_to_join(connection, now, upcoming, count):
            registered_at = min(event.published_at + timedelta(hours=1), event.starts_at)
            connection.execute(
                insert(Registration.__table__).values(
                    event_id=event.id,
                    user_id=LEARNER_ID,
                    status="confirmed",
                    language="en",
                    registered_at=registered_at,
                    queued_at=registered_at,
                    confirmed_at=registered_at,
                    attended=None if upcoming else True,
                )
            )
            connection.execute(
                update(Event.__table__)
                .where(Event.__table__.c.id == event.id)
                .values(seats_taken=Event.__table__.c.seats_taken + 1)
            )
            added += 1
    return added


def add_learner_rows(now: datetime) -> dict[str, int]:
    """Give the learner actions, event registrations and a mailing-list subscription; commits."""
    learner = db.session.get(User, LEARNER_ID)
    organisation = learner.organisation
    with db.engine.begin() as connection:
        actions = _add_actions(connection, organisation.id, now)
        registrations = _add_registrations(connection, now)
    # The application's own function, as when the organisation was unlocked.
    subscriber = subscriptions.subscribe_member(learner, organisation, now)
    db.session.commit()
    return {
        "learner_actions": actions,
        "learner_registrations": registrations,
        "learner_subscriptions": int(subscriber is not None),
    }
