"""Database helpers: SQLite pragmas, UTC time, and health checks."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.sql.dml import UpdateBase

from cta_learning.extensions import db


def utcnow() -> datetime:
    """The current time in UTC, naive, as every datetime column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column: str, values: Iterable[str]) -> str:
    """The SQL of a CHECK that keeps the column to the values: "status IN ('a', 'b')"."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def isoformat_utc(moment: datetime | None) -> str | None:
    """A stored (naive UTC) moment as ISO 8601 with its Z, for exports."""
    return moment.isoformat() + "Z" if moment else None


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    """Give every SQLite connection WAL mode, foreign keys and a busy timeout."""
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(
            engine, "connect", _sqlite_pragmas
        ):
            event.listen(engine, "connect", _sqlite_pragmas)


def rows_changed(statement: UpdateBase) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed: a conditional claim's answer."""
    # Statements without RETURNING answer with a CursorResult; Session.execute is typed as Result.
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


def database_status() -> str:
    """'ok' when the database answers a trivial query, else 'unavailable'."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means the same thing to a health check
        db.session.rollback()
        return "unavailable"
    return "ok"
