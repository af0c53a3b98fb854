"""Actions (pledges) of organisations, their priority areas, translations and corrections."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cta_learning.accounts.models import Organisation, User
from cta_learning.database import one_of, utcnow
from cta_learning.extensions import Model


class ActionStatus(StrEnum):
    """Where an action stands: drafted, then moderated (the values are those stored)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    RETURNED = "returned"  # sent back for changes: editable again, its benefits stay
    REJECTED = "rejected"


ACTION_STATUSES = tuple(ActionStatus)
EDITABLE_STATUSES = (ActionStatus.DRAFT, ActionStatus.RETURNED)
# Submitted actions count for the unlock, the priority areas and corrections, published or not.
SUBMITTED_STATUSES = (ActionStatus.SUBMITTED, ActionStatus.PUBLISHED)


class CorrectionStatus(StrEnum):
    """Where a member's request for a correction stands."""

    OPEN = "open"
    APPLIED = "applied"
    DECLINED = "declined"


PARTNER_KINDS = ("civil-society", "un-agencies", "networks", "private-sector")


class ActionPriority(Model):
    __tablename__ = "action_priorities"
    __table_args__ = (Index("ix_action_priorities_priority_action", "priority_id", "action_id"),)

    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True
    )
    priority_id: Mapped[int] = mapped_column(primary_key=True)

    def __repr__(self) -> str:
        return f"<ActionPriority action={self.action_id} priority={self.priority_id}>"


class Action(Model):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(one_of("status", ActionStatus), name="status"),
        # The repository: newest published first, and filters by year with the organisation.
        Index("ix_actions_status_published_at", "status", "published_at"),
        Index(
            "ix_actions_status_start_on_organisation",
            "status",
            "start_on",
            "organisation_id",
            "published_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=ActionStatus.DRAFT, index=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    start_on: Mapped[date | None]
    end_on: Mapped[date | None]
    is_ongoing: Mapped[bool] = mapped_column(default=False)  # no planned end date
    results: Mapped[str] = mapped_column(Text, default="")  # evidence of results so far
    targets_migrants: Mapped[bool] = mapped_column(default=False)
    targets_refugees: Mapped[bool] = mapped_column(default=False)
    targets_idps: Mapped[bool] = mapped_column(default=False)
    targets_stateless: Mapped[bool] = mapped_column(default=False)
    pledge_type: Mapped[str | None] = mapped_column(String(10), index=True)  # derived
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    beneficiaries: Mapped[int | None]
    links: Mapped[str] = mapped_column(Text, default="")  # one address a line
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    moderation_reason: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    priority_links: Mapped[list[ActionPriority]] = relationship(
        cascade="all, delete-orphan", order_by=ActionPriority.priority_id
    )
    translations: Mapped[list["ActionTranslation"]] = relationship(
        cascade="all, delete-orphan", back_populates="action"
    )

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status} {self.title[:30]!r}>"

    @property
    def priority_ids(self) -> list[int]:
        return [link.priority_id for link in self.priority_links]

    @property
    def target_groups(self) -> frozenset[str]:
        return frozenset(
            group
            for group in ("migrants", "refugees", "idps", "stateless")
            if getattr(self, f"targets_{group}")
        )

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class ActionTranslation(Model):
    """The title and description of an action in another language, added by the secretariat."""

    __tablename__ = "action_translations"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="translations")

    def __repr__(self) -> str:
        return f"<ActionTranslation {self.action_id} {self.language}>"


class CorrectionRequest(Model):
    """A member asks the secretariat to correct a submitted action."""

    __tablename__ = "correction_requests"
    __table_args__ = (CheckConstraint(one_of("status", CorrectionStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=CorrectionStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    action: Mapped[Action] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    def __repr__(self) -> str:
        return f"<CorrectionRequest {self.id} action={self.action_id} {self.status}>"
