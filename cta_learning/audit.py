"""The audit log: one row for every change that matters to the secretariat."""

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cta_learning.database import utcnow
from cta_learning.extensions import Model, db

if TYPE_CHECKING:
    from cta_learning.accounts.models import User

log = logging.getLogger("cta_learning.audit")


class AuditEvent(Model):
    __tablename__ = "audit_events"
    # The audit log page finds an organisation's or a person's events by their subject.
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    verb: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Read-only, and loaded only when asked for (the audit log page joins it).
    actor: Mapped["User | None"] = relationship(viewonly=True, lazy="raise")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.verb} {self.subject_type}:{self.subject_id}>"


def record(verb: str, subject: Any, actor: Any = None, **details: Any) -> AuditEvent:
    """Add an audit event for `subject` (a model instance) and log it."""
    event = AuditEvent(
        verb=verb,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        actor_id=actor.id if actor is not None else None,
        details=details,
    )
    db.session.add(event)
    log.info("%s %s:%s by %s %s", verb, event.subject_type, subject.id, event.actor_id, details)
    return event
