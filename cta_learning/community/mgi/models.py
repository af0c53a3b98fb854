"""Local MGI interest: one request per organisation at a time, and each move along the
secretariat's pipeline.

A request is open until it reaches a final step (completed or declined); the database keeps
an organisation to one open request (a partial unique index), so two members who send the
form at the same moment cannot both create one.
"""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cta_learning import languages
from cta_learning.accounts.models import Organisation, User
from cta_learning.database import one_of, utcnow
from cta_learning.extensions import Model


class MgiStep(StrEnum):
    """The secretariat's pipeline, in order; the last two are final (the values are stored)."""

    RECEIVED = "received"
    SHARED = "shared"
    IN_CONTACT = "in_contact"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    DECLINED = "declined"


# Labels, looked up with the stored values too (plain strings).
STEPS: dict[str, str] = {
    MgiStep.RECEIVED: lazy_pgettext("mgi step", "Received"),
    MgiStep.SHARED: lazy_pgettext("mgi step", "Shared with IOM"),
    MgiStep.IN_CONTACT: lazy_pgettext("mgi step", "In contact"),
    MgiStep.SCHEDULED: lazy_pgettext("mgi step", "Assessment scheduled"),
    MgiStep.COMPLETED: lazy_pgettext("mgi step", "Completed"),
    MgiStep.DECLINED: lazy_pgettext("mgi step", "Declined"),
}
FINAL_STEPS = (MgiStep.COMPLETED, MgiStep.DECLINED)
LANGUAGES = languages.labels()  # the CHECK below lists them: adding one needs a migration

# "step NOT IN ('completed', 'declined')": the SQL of the partial index must not change.
_OPEN = one_of("step", FINAL_STEPS).replace("step IN", "step NOT IN", 1)


class MgiRequest(Model):
    __tablename__ = "mgi_requests"
    __table_args__ = (
        CheckConstraint(one_of("step", MgiStep), name="step"),
        CheckConstraint(one_of("language", LANGUAGES), name="language"),
        Index(
            "uq_mgi_requests_open_organisation",
            "organisation_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        Index("ix_mgi_requests_step_created_at", "step", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    step: Mapped[str] = mapped_column(String(20), default=MgiStep.RECEIVED)
    focal_name: Mapped[str] = mapped_column(String(120))
    focal_position: Mapped[str] = mapped_column(String(200))
    focal_email: Mapped[str] = mapped_column(String(254))
    focal_phone: Mapped[str] = mapped_column(String(40))
    motivation: Mapped[str] = mapped_column(Text)
    population_context: Mapped[str] = mapped_column(Text, default="")
    previous_assessments: Mapped[str] = mapped_column(Text, default="")
    departments: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="en")
    consented_at: Mapped[datetime]  # consent to share the request with IOM
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    step_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    changes: Mapped[list["MgiStepChange"]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="(MgiStepChange.changed_at, MgiStepChange.id)",
    )

    def __repr__(self) -> str:
        return f"<MgiRequest {self.id} org={self.organisation_id} {self.step}>"

    @property
    def is_open(self) -> bool:
        return self.step not in FINAL_STEPS


class MgiStepChange(Model):
    """One move along the pipeline: who, when, from which step to which, and the note."""

    __tablename__ = "mgi_step_changes"
    __table_args__ = (
        CheckConstraint(one_of("to_step", MgiStep), name="to_step"),
        CheckConstraint(f"from_step IS NULL OR {one_of('from_step', MgiStep)}", name="from_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("mgi_requests.id", ondelete="CASCADE"), index=True
    )
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    from_step: Mapped[str | None] = mapped_column(String(20))  # None: the request was sent
    to_step: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[MgiRequest] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return (
            f"<MgiStepChange {self.id} request={self.request_id} {self.from_step}->{self.to_step}>"
        )
