"""Database helpers: SQLite pragmas, UTC time, and health checks."""

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from cta_learning.extensions import db


def utcnow() -> datetime:
    """The current time in UTC, naive, as every datetime column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


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
        if engine.dialect.name == "sqlite" and not getattr(engine, "_cta_pragmas", False):
            event.listen(engine, "connect", _sqlite_pragmas)
            engine._cta_pragmas = True


def database_status() -> str:
    """'ok' when the database answers a trivial query, else 'unavailable'."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means the same thing to a health check
        db.session.rollback()
        return "unavailable"
    return "ok"
