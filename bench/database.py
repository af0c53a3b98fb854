"""The benchmark's database on SQLite or PostgreSQL: finishing a bulk load, and reading back
the ids and texts the runner needs, all through SQLAlchemy so both behave the same."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, create_engine, func, select, text

from bench.learner import LEARNER_DRAFT_TITLE, LEARNER_ID
from cta_learning.accounts.models import User
from cta_learning.actions.models import Action
from cta_learning.community.events.models import Event, Registration
from cta_learning.courses.models import Certificate
from cta_learning.extensions import db


def reset_sequences(connection: Connection) -> None:
    """Move PostgreSQL's id sequences past the ids the bulk load gave explicitly.

    Without this, the next row the application adds (a grant, an audit entry, a session)
    would take id 1 again and fail. SQLite picks max(id) + 1 by itself.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"  # noqa: S608
                f" coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"
            )
        )


def analyze(engine: Engine) -> None:
    """PostgreSQL: VACUUM ANALYZE after the load, so that plans and index-only scans are those
    of a database autovacuum has caught up with, not of freshly loaded tables."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


@dataclass(frozen=True)
class Landmarks:
    """What the runner reads back from the data set: ids in paths, and texts on pages."""

    action_id: int
    event_id: int
    certificate_code: str
    learner_name: str
    learner_event_title: str
    learner_draft_title: str = LEARNER_DRAFT_TITLE


def _one(connection: Connection, query, what: str):
    value = connection.scalar(query)
    if value is None:
        raise LookupError(f"the data set holds no {what}")
    return value


def landmarks(url: str) -> Landmarks:
    """Read the landmarks from the generated database; LookupError if one is missing."""
    now = datetime.now(UTC).replace(tzinfo=None)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return Landmarks(
                action_id=_one(
                    connection,
                    select(func.min(Action.id)).where(Action.status == "published"),
                    "published action: no action page to measure",
                ),
                event_id=_one(
                    connection,
                    select(Event.id)
                    .where(
                        Event.status == "published",
                        Event.series_id.is_not(None),
                        Event.starts_at > now,
                    )
                    .order_by(Event.starts_at, Event.id)
                    .limit(1),
                    "upcoming session of a series: no event page to measure",
                ),
                certificate_code=_one(
                    connection,
                    select(Certificate.code).order_by(Certificate.id).limit(1),
                    "certificate: no certificate check to measure",
                ),
                learner_name=_one(
                    connection, select(User.name).where(User.id == LEARNER_ID), "learner"
                ),
                learner_event_title=_one(
                    connection,
                    select(Event.title)
                    .join(Registration, Registration.event_id == Event.id)
                    .where(
                        Registration.user_id == LEARNER_ID,
                        Registration.status == "confirmed",
                        Event.starts_at > now,
                    )
                    .order_by(Event.starts_at)
                    .limit(1),
                    "upcoming registration of the learner: nothing to show on /events/mine",
                ),
            )
    finally:
        engine.dispose()
