"""Events (a series is an event whose sessions are events too), their agenda and registrations.

Times are stored in UTC (naive, like every datetime column); `timezone` is the organiser's zone,
in which the event is entered and shown beside the viewer's own. `seats_taken` counts confirmed
registrations and changes only while the event row is locked (see `registrations.py`).
"""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cta_learning.accounts.models import Organisation, User
from cta_learning.community.events.texts import (
    EVENT_TEXTS,
    SEGMENT_TEXTS,
    TEXT_LANGUAGES,
    Localised,
    localise,
)
from cta_learning.database import one_of, utcnow
from cta_learning.extensions import Model

KINDS = {
    "webinar": _l("Webinar"),
    "peer_exchange": _l("Peer exchange"),
    "briefing": _l("Briefing"),
    "networking": _l("Networking meeting"),
    "workshop": _l("Workshop"),
}
FORMATS = {
    "online": _l("Online"),
    "in_person": _l("In person"),
    "hybrid": _l("Online and in person"),
}
AUDIENCES = {
    "everyone": _l("Everyone with an account"),
    "members": _l("Members of organisations that have submitted an action"),
    "invited": _l("Invited organisations only"),
    "priority_areas": _l("Members whose organisation acts in the event's priority areas"),
}


class EventStatus(StrEnum):
    """Where an event stands (the values are those stored)."""

    DRAFT = "draft"  # seen by its organisers only
    PUBLISHED = "published"
    CANCELLED = "cancelled"  # still listed, so that nobody comes in vain


# Labels, looked up with the stored values too (plain strings).
STATUSES: dict[str, str] = {
    EventStatus.DRAFT: lazy_pgettext("event status", "Draft"),
    EventStatus.PUBLISHED: lazy_pgettext("event status", "Published"),
    EventStatus.CANCELLED: lazy_pgettext("event status", "Cancelled"),
}
INTERPRETATION_LANGUAGES = {
    "en": _l("English"),
    "fr": _l("French"),
    "es": _l("Spanish"),
    "ar": _l("Arabic"),
    "pt": _l("Portuguese"),
    "ru": _l("Russian"),
    "zh": _l("Chinese"),
}
SEGMENT_KINDS = {
    "opening": _l("Opening"),
    "welcome": _l("Welcome words"),
    "presentation": _l("Presentation"),
    "round": _l("Round"),
    "conversation": _l("Open conversation"),
    "questions": _l("Questions and answers"),
    "closing": _l("Closing"),
}
PERSON_ROLES = {"moderator": _l("Moderator"), "speaker": _l("Speaker"), "reaction": _l("Reaction")}


class RegistrationStatus(StrEnum):
    """Where a registration stands (the values are those stored)."""

    PENDING = "pending"  # awaiting the organisers' approval
    CONFIRMED = "confirmed"  # holds a seat
    WAITING = "waiting"
    DECLINED = "declined"
    CANCELLED = "cancelled"


REGISTRATION_STATUSES: dict[str, str] = {
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITING: _l("On the waiting list"),
    RegistrationStatus.DECLINED: _l("Declined"),
    RegistrationStatus.CANCELLED: lazy_pgettext("registration status", "Cancelled"),
}
# Registrations that hold (or wait for) a place; the others are history.
ACTIVE_STATUSES = (
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
)


class Event(Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(one_of("status", EventStatus), name="status"),
        CheckConstraint(one_of("kind", KINDS), name="kind"),
        CheckConstraint(one_of("format", FORMATS), name="format"),
        CheckConstraint(one_of("audience", AUDIENCES), name="audience"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        CheckConstraint(one_of("language", TEXT_LANGUAGES), name="language"),
        Index("ix_events_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default=EventStatus.DRAFT)
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10), default="online")
    # The texts below (and the segments') are in this language; `translations` hold the others.
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    objectives: Mapped[str] = mapped_column(Text, default="")  # Markdown
    expected_results: Mapped[str] = mapped_column(Text, default="")  # Markdown
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    online_url: Mapped[str | None] = mapped_column(String(500))
    venue: Mapped[str | None] = mapped_column(String(300))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # interpretation
    audience: Mapped[str] = mapped_column(String(20), default="everyone")
    capacity: Mapped[int | None]
    seats_taken: Mapped[int] = mapped_column(default=0)
    registration_deadline: Mapped[datetime | None]
    requires_approval: Mapped[bool] = mapped_column(default=False)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    materials_summary: Mapped[str] = mapped_column(Text, default="")  # Markdown
    documents: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{title, url}]
    sequence: Mapped[int] = mapped_column(default=0)  # bumped on every change calendars must see
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    postponed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    series: Mapped["Event | None"] = relationship(remote_side=[id], back_populates="sessions")
    sessions: Mapped[list["Event"]] = relationship(
        back_populates="series", order_by="Event.starts_at"
    )
    created_by: Mapped[User | None] = relationship()
    priority_links: Mapped[list["EventPriority"]] = relationship(
        cascade="all, delete-orphan", order_by="EventPriority.priority_id"
    )
    invitations: Mapped[list["EventInvitation"]] = relationship(cascade="all, delete-orphan")
    segments: Mapped[list["AgendaSegment"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(AgendaSegment.starts_at, AgendaSegment.id)",
    )
    translations: Mapped[list["EventTranslation"]] = relationship(
        cascade="all, delete-orphan", order_by="EventTranslation.language"
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r} {self.status}>"

    def text(self, language: str) -> Localised:
        """The event's texts for a reader of `language` (see `texts.localise`)."""
        return localise(self, self.translations, self.language, EVENT_TEXTS, language)

    @property
    def priority_ids(self) -> list[int]:
        return [link.priority_id for link in self.priority_links]

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    def has_ended(self, now: datetime) -> bool:
        return self.ends_at <= now

    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.seats_taken)


class EventTranslation(Model):
    """An event's texts in a language other than its own, written by its organisers."""

    __tablename__ = "event_translations"
    __table_args__ = (CheckConstraint(one_of("language", TEXT_LANGUAGES), name="language"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    objectives: Mapped[str] = mapped_column(Text, default="")  # Markdown
    expected_results: Mapped[str] = mapped_column(Text, default="")  # Markdown

    def __repr__(self) -> str:
        return f"<EventTranslation {self.event_id} {self.language}>"


class EventPriority(Model):
    __tablename__ = "event_priorities"
    __table_args__ = (Index("ix_event_priorities_priority_event", "priority_id", "event_id"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    priority_id: Mapped[int] = mapped_column(primary_key=True)

    def __repr__(self) -> str:
        return f"<EventPriority event={self.event_id} priority={self.priority_id}>"


class EventInvitation(Model):
    __tablename__ = "event_invitations"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<EventInvitation event={self.event_id} org={self.organisation_id}>"


class AgendaSegment(Model):
    __tablename__ = "event_segments"
    __table_args__ = (
        CheckConstraint(one_of("kind", SEGMENT_KINDS), name="kind"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(one_of("language", TEXT_LANGUAGES), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The language of the texts below: the event's when the segment was last saved.
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    title: Mapped[str] = mapped_column(String(200))
    guiding_question: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    event: Mapped[Event] = relationship(back_populates="segments")
    people: Mapped[list["SegmentPerson"]] = relationship(
        cascade="all, delete-orphan", order_by="SegmentPerson.position"
    )
    translations: Mapped[list["SegmentTranslation"]] = relationship(
        cascade="all, delete-orphan", order_by="SegmentTranslation.language"
    )

    def __repr__(self) -> str:
        return f"<AgendaSegment {self.id} event={self.event_id} {self.kind}>"

    def text(self, language: str) -> Localised:
        """The segment's texts for a reader of `language` (see `texts.localise`)."""
        return localise(self, self.translations, self.language, SEGMENT_TEXTS, language)


class SegmentTranslation(Model):
    """An agenda segment's texts in a language other than its event's own."""

    __tablename__ = "event_segment_translations"
    __table_args__ = (CheckConstraint(one_of("language", TEXT_LANGUAGES), name="language"),)

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("event_segments.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    guiding_question: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<SegmentTranslation {self.segment_id} {self.language}>"


class SegmentPerson(Model):
    __tablename__ = "event_segment_people"
    __table_args__ = (CheckConstraint(one_of("role", PERSON_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("event_segments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    # Plain text, in the event's language.
    biography: Mapped[str] = mapped_column(String(600), default="", server_default="")

    def __repr__(self) -> str:
        return f"<SegmentPerson {self.id} {self.role} {self.name!r}>"


class Registration(Model):
    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_event_registrations_event_user"),
        CheckConstraint(one_of("status", RegistrationStatus), name="status"),
        Index("ix_event_registrations_event_status", "event_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    language: Mapped[str | None] = mapped_column(String(5))  # interpretation wanted
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)  # waiting-list order
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attended: Mapped[bool | None]
    reminded_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Registration {self.id} event={self.event_id} user={self.user_id} {self.status}>"


class CalendarFeed(Model):
    """A person's secret calendar address; renewing it makes the old one stop working."""

    __tablename__ = "event_calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarFeed user={self.user_id}>"
