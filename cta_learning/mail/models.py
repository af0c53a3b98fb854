"""Outbox messages."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cta_learning.database import one_of, utcnow
from cta_learning.extensions import Model


class MessageStatus(StrEnum):
    """Where an outbox message stands (the values are those stored)."""

    QUEUED = "queued"
    HELD = "held"  # its batch is paused
    SENT = "sent"
    FAILED = "failed"  # for good: retries are over, or it was withdrawn


MESSAGE_STATUSES = tuple(MessageStatus)
STATUS_LABELS = {
    MessageStatus.QUEUED: _l("queued"),
    MessageStatus.HELD: _l("held (paused)"),
    MessageStatus.SENT: _l("sent"),
    MessageStatus.FAILED: _l("failed"),
}


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(one_of("status", MessageStatus), name="status"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    category: Mapped[str] = mapped_column(String(40))
    # Messages sent together (e.g. "campaign:12"): held, released or withdrawn as one.
    batch: Mapped[str | None] = mapped_column(String(40), index=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    to_name: Mapped[str] = mapped_column(String(120), default="")
    locale: Mapped[str] = mapped_column(String(5), default="en")
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"filename", "content_type", "content"}]: small text files such as calendar invitations;
    # binary ones (PDF certificates) carry "encoding": "base64" and their content in base64.
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    # The claim of the worker sending it (see mail/claims.py): one worker per message.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    # When delivery first failed: retried until MAIL_RETRY_HOURS after this, then failed.
    first_failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.category} to={self.to_address} {self.status}>"
