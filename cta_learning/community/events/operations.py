"""Creating and running events: details, publication, postponement, cancellation, agenda,
materials, and personal calendar feeds. Seat changes live in `registration_operations.py`."""

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from cta_learning import audit
from cta_learning.accounts.models import User
from cta_learning.accounts.operations import account_closing
from cta_learning.community.events import registration_operations
from cta_learning.community.events.models import (
    AgendaSegment,
    CalendarFeed,
    Event,
    EventInvitation,
    EventPriority,
    EventStatus,
    EventTranslation,
    Registration,
    RegistrationStatus,
    SegmentPerson,
    SegmentTranslation,
)
from cta_learning.community.events.texts import EVENT_TEXTS, SEGMENT_TEXTS
from cta_learning.extensions import db
from cta_learning.refusals import Refused

log = logging.getLogger(__name__)

# Columns an organiser sets through the event form (times and capacity have their own rules).
DETAIL_FIELDS = (
    "kind",
    "format",
    "language",
    "timezone",
    "online_url",
    "venue",
    "languages",
    "audience",
    "registration_deadline",
    "requires_approval",
)


@dataclass
class EventDetails:
    """What the event form gives, already checked (times in UTC); `texts` holds the event's
    language (`values["language"]`) and any other, as {language: {field: text}}."""

    values: dict[str, Any]
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    priority_ids: list[int] = field(default_factory=list)
    invited_ids: list[int] = field(default_factory=list)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)


def _set_texts(
    row: Any, translation: type, texts: dict[str, dict[str, str]], fields: Iterable[str]
) -> None:
    """The original language's texts on the row itself (its `language`), the others in its
    translations; a language no longer given loses its translation."""
    for name in fields:
        setattr(row, name, texts[row.language][name])
    kept = {existing.language: existing for existing in row.translations}
    wanted = []
    for language in sorted(texts.keys() - {row.language}):
        existing = kept.get(language) or translation(language=language)
        for name in fields:
            setattr(existing, name, texts[language][name])
        wanted.append(existing)
    row.translations = wanted


def _apply(event: Event, details: EventDetails) -> None:
    for name in DETAIL_FIELDS:
        setattr(event, name, details.values[name])
    _set_texts(event, EventTranslation, details.texts, EVENT_TEXTS)
    if details.starts_at is not None and details.ends_at is not None:  # the form gives both
        event.starts_at, event.ends_at = details.starts_at, details.ends_at
    event.priority_links = [
        EventPriority(priority_id=priority_id) for priority_id in sorted(set(details.priority_ids))
    ]
    wanted = set(details.invited_ids) if event.audience == "invited" else set()
    kept = [link for link in event.invitations if link.organisation_id in wanted]
    known = {link.organisation_id for link in kept}
    event.invitations = kept + [
        EventInvitation(organisation_id=organisation_id)
        for organisation_id in sorted(wanted - known)
    ]


def create_event(details: EventDetails, by: User, series: Event | None = None) -> Event:
    """A new draft event (a session when `series` is given)."""
    event = Event(created_by=by, series=series, capacity=details.capacity)
    _apply(event, details)
    db.session.add(event)
    db.session.flush()
    audit.record("event.created", event, by)
    return event


def update_event(event: Event, details: EventDetails, by: User, now: datetime) -> Event:
    """Change an event's details; its times change here only while it is a draft."""
    if event.is_cancelled:
        raise Refused(_("A cancelled event cannot be changed."), 409)
    if event.is_published:
        details.starts_at = details.ends_at = None  # published events are postponed instead
    _apply(event, details)
    registration_operations.change_capacity(event, details.capacity, now)
    audit.record("event.updated", event, by)
    return event


def publish_event(event: Event, by: User, now: datetime) -> Event:
    if event.status != EventStatus.DRAFT:
        raise Refused(_("Only a draft can be published or deleted."), 409)
    event.status = EventStatus.PUBLISHED
    event.published_at = now
    audit.record("event.published", event, by)
    return event


def delete_draft(event: Event, by: User) -> None:
    if event.status != EventStatus.DRAFT:
        raise Refused(_("Only a draft can be published or deleted."), 409)
    audit.record("event.deleted", event, by, title=event.title)
    db.session.delete(event)


def postpone_event(
    event: Event, starts_at: datetime, ends_at: datetime, by: User, now: datetime
) -> int:
    """Move a published event to new times and tell every registrant (a new calendar entry
    version); reminders go out again before the new date."""
    if not event.is_published:
        raise Refused(_("Only a published event can be postponed or cancelled."), 409)
    event.starts_at, event.ends_at = starts_at, ends_at
    event.postponed_at = now
    event.sequence += 1
    for registration in registration_operations.active_registrations(event):
        registration.reminded_at = None
    db.session.flush()
    audit.record("event.postponed", event, by, starts_at=starts_at.isoformat())
    return registration_operations.tell_everyone(event, "event_postponed")


def cancel_event(event: Event, reason: str, by: User, now: datetime) -> int:
    """Cancel a published event and tell every registrant, with a cancelling calendar entry."""
    if not event.is_published:
        raise Refused(_("Only a published event can be postponed or cancelled."), 409)
    event.status = EventStatus.CANCELLED
    event.cancelled_at = now
    event.cancel_reason = reason
    event.sequence += 1
    db.session.flush()
    audit.record("event.cancelled", event, by)
    return registration_operations.tell_everyone(event, "event_cancelled", reason=reason)


def message_registrants(event: Event, subject: str, body: str, by: User) -> int:
    """Send the organisers' message to everyone registered or waiting."""
    audit.record("event.messaged", event, by, title=subject)
    return registration_operations.tell_everyone(event, "event_message", subject=subject, body=body)


def save_segment(
    event: Event,
    segment: AgendaSegment | None,
    values: dict[str, Any],
    people: list[dict[str, Any]],
    by: User,
) -> AgendaSegment:
    """Add or change an agenda segment (its texts by language, the event's own required) and
    the people who speak in it."""
    if segment is None:
        segment = AgendaSegment(event=event)
        db.session.add(segment)
    for name in ("kind", "starts_at", "ends_at"):
        setattr(segment, name, values[name])
    segment.language = event.language
    _set_texts(segment, SegmentTranslation, values["texts"], SEGMENT_TEXTS)
    segment.people = [
        SegmentPerson(position=position, **person) for position, person in enumerate(people)
    ]
    db.session.flush()
    audit.record("event.agenda_changed", event, by, segment=segment.id)
    return segment


def delete_segment(segment: AgendaSegment, by: User) -> None:
    audit.record("event.agenda_changed", segment.event, by, deleted=segment.id)
    db.session.delete(segment)


def save_materials(
    event: Event, recording_url: str | None, summary: str, documents: list[dict[str, Any]], by: User
) -> None:
    """What participants find after the event: the recording, a summary, documents."""
    event.recording_url = recording_url
    event.materials_summary = summary
    event.documents = documents
    audit.record("event.materials", event, by)


def calendar_feed(user: User, renew: bool = False) -> CalendarFeed:
    """The person's secret calendar address, created on first use; renewing revokes the old."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
    elif renew:
        feed.token = secrets.token_urlsafe(32)
        log.info("calendar feed of user %s renewed", user.id)
    return feed


@account_closing.connect
def _revoke_feed(user: User) -> None:
    """A deactivated or deleted account's calendar address stops working at once (it shows
    meeting links)."""
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    log.info("calendar feed of user %s revoked", user.id)


def feed_owner(token: str) -> tuple[int, str] | None:
    """The id and language of the person whose calendar address this is."""
    row = db.session.execute(
        select(CalendarFeed.user_id, User.locale)
        .join(User, User.id == CalendarFeed.user_id)
        .where(CalendarFeed.token == token)
    ).first()
    return (row.user_id, row.locale) if row else None


def feed_events(user_id: int, since: datetime) -> list[Event]:
    """The events a person holds a place at, from `since` on (cancelled ones included, so
    calendars remove them)."""
    return list(
        db.session.scalars(
            select(Event)
            .join(Registration, Registration.event_id == Event.id)
            .where(
                Registration.user_id == user_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Event.status != EventStatus.DRAFT,
                Event.ends_at >= since,
            )
            .order_by(Event.starts_at)
        )
    )
