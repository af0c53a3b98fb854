"""Content versions: a number per kind of shared content, bumped in the transaction that changes it.

Cache keys carry the version read from the database (`repository:<version>:...`), so a cached
value is never served after a change, on any worker or server, whatever the cache (Redis or a
per-process SimpleCache): the next request reads the new version and misses. Stale keys simply
expire.

Each feature bumps its own versions; the repository's are bumped in `actions/versions.py`.
"""

from sqlalchemy import String, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from cta_learning.extensions import Model, db


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


def bump(name: str) -> None:
    """Increment a content version in the current transaction (committed with the change)."""
    bump_in(db.session(), name)


def current(name: str) -> int:
    """The content version now (0 before the first change)."""
    version = db.session.scalar(select(ContentVersion.version).where(ContentVersion.name == name))
    return version or 0
