"""Content versions: a number per kind of shared content, bumped in the transaction that changes it.

Cache keys carry the version read from the database (`repository:<version>:...`), so a cached
value is never served after a change, on any worker or server, whatever the cache (Redis or a
per-process SimpleCache): the next request reads the new version and misses. Stale keys simply
expire.

Each feature bumps its own versions from one flush listener (`bump_when`), so no code path that
changes the content can forget: the repository's in `actions/versions.py`, the events' in
`community/events/versions.py`, the courses' and certificates' in `courses/versions.py`.
"""

from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import String, event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from cta_learning import version_mirror as mirror
from cta_learning.extensions import Model, db

BUMPED = "cta_bumped_versions"  # the names a session's transaction bumped


class ContentVersion(Model):
    __tablename__ = "content_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<ContentVersion {self.name} {self.version}>"


def _bump_statement(dialect: str, name: str):
    """One INSERT .. ON CONFLICT DO UPDATE: race-safe whether or not the row exists yet."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ContentVersion).values(name=name, version=1)
    return statement.on_conflict_do_update(
        index_elements=[ContentVersion.name],
        set_={"version": ContentVersion.version + 1},
    )


def bump_in(session: Session, name: str) -> None:
    """Increment a content version in `session`'s transaction (usable inside a flush)."""
    connection = session.connection()
    connection.execute(_bump_statement(connection.dialect.name, name))
    session.info.setdefault(BUMPED, set()).add(name)


@event.listens_for(FlaskSession, "after_commit")
def _publish(session: Session) -> None:
    """Once the change is committed, the mirror learns its version (before the response that
    follows the change leaves)."""
    if session.info.pop(BUMPED, None) and mirror.active():
        mirror.offer(read_database(on_the_session=False))  # the session is closing


@event.listens_for(FlaskSession, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(BUMPED, None)


def bump(name: str) -> None:
    """Increment a content version in the current transaction (committed with the change)."""
    bump_in(db.session(), name)


def current(name: str) -> int:
    """The content version now (0 before the first change)."""
    version = db.session.scalar(select(ContentVersion.version).where(ContentVersion.name == name))
    return version or 0


_ALL = "SELECT name, version FROM content_versions"


def current_many(names: tuple[str, ...]) -> tuple[int, ...]:
    """Several content versions, in the order given: from the Redis mirror when there is one
    (see `mirror`), else from the database."""
    found = mirror.read(names)
    if found is None:
        found = read_database()
        mirror.offer(found, names)
    return tuple(found.get(name, 0) for name in names)


def read_database(on_the_session: bool = True) -> dict[str, int]:
    """Every content version, in one query.

    Read with the driver's cursor, outside the ORM: a shared page served from the cache costs
    this one query (a twentieth of the session's cost). On the request's connection when it
    holds one (one connection per request, not two), else on a pooled one."""
    driver_error = db.engine.dialect.loaded_dbapi.Error
    try:
        if on_the_session and db.session().in_transaction():  # the request holds one: on it
            found = _read(db.session.connection().connection.dbapi_connection)
        else:  # the driver's cursor on a pooled connection: a third of Core's cost
            connection = db.engine.raw_connection()
            try:
                found = _read(connection.dbapi_connection)
                connection.rollback()  # end the read; nothing was written
            finally:
                connection.close()  # back to the pool
    except driver_error as error:  # as SQLAlchemy raises it, so that a database down is a 503
        raise DBAPIError.instance(_ALL, (), error, driver_error) from error
    return found


def _read(dbapi_connection: Any) -> dict[str, int]:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_ALL)  # a few rows: all of them, with no parameter
        return {name: version for name, version in cursor.fetchall()}
    finally:
        cursor.close()


def bump_when(name: str, changes: Callable[[Session], bool]) -> None:
    """Bump `name` in every flush of every session for which `changes(session)` is true."""

    @event.listens_for(FlaskSession, "before_flush")
    def _bump(session: Session, flush_context, instances) -> None:
        if changes(session):
            bump_in(session, name)


def touches(*models: type) -> Callable[[Session], bool]:
    """A `changes` test: the flush adds, changes or deletes a row of one of `models`."""

    def changes(session: Session) -> bool:
        def changed(row: object) -> bool:  # a collection appended to is not a change
            return row not in session.dirty or session.is_modified(row, include_collections=False)

        rows = (*session.new, *session.dirty, *session.deleted)
        return any(isinstance(row, models) and changed(row) for row in rows)

    return changes
