"""Places at events: register, wait, get promoted, cancel, be approved or declined, attend.

No overbooking, whatever the concurrency: every change to who holds a place starts with
`_lock(event)`, an UPDATE of the event row that holds it until the commit (a row lock on
PostgreSQL, the database write lock on SQLite). Inside it the confirmed registrations are
counted afresh, so two requests can never both take the last place, and a place freed by a
cancellation goes to exactly one person on the waiting list, in order.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from cta_learning import audit
from cta_learning.accounts.models import User
from cta_learning.accounts.operations import account_deleting, account_exporting
from cta_learning.community.events import calendar
from cta_learning.community.events.models import (
    ACTIVE_STATUSES,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from cta_learning.community.events.rules import registration_refusal
from cta_learning.database import isoformat_utc, rows_changed, utcnow
from cta_learning.extensions import db
from cta_learning.mail.operations import email_user
from cta_learning.refusals import Refused

log = logging.getLogger(__name__)
REMINDER_AHEAD = timedelta(hours=24)


def _lock(event: Event) -> datetime:
    """Hold the event row until the commit, then read it again (capacity may have changed).
    Returns the time the lock was taken: the waiting list is ordered by it."""
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(seats_taken=Event.seats_taken, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(event)
    return utcnow()


def _confirmed_count(event: Event) -> int:
    return db.session.scalars(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    ).one()


def _store_count(event: Event) -> None:
    db.session.flush()
    event.seats_taken = _confirmed_count(event)


def _has_room(event: Event) -> bool:
    return event.capacity is None or _confirmed_count(event) < event.capacity


def _confirm(registration: Registration, now: datetime) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    db.session.flush()


def _tell(registration: Registration, template: str, **context: Any) -> None:
    """Email the registrant; confirmations carry the event for their calendar."""
    event = registration.event
    attachments = None
    if registration.status == RegistrationStatus.CONFIRMED or template == "event_cancelled":
        with force_locale(registration.user.locale):
            attachments = [
                calendar.attachment(event, registration.status == RegistrationStatus.CONFIRMED)
            ]
    email_user(
        registration.user,
        template,
        event=event,
        registration=registration,
        attachments=attachments,
        category="event",
        **context,
    )


def waiting_position(registration: Registration) -> int:
    """1 for the first person on the waiting list."""
    return (
        1
        + db.session.scalars(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.event_id == registration.event_id,
                Registration.status == RegistrationStatus.WAITING,
                (Registration.queued_at < registration.queued_at)
                | (
                    (Registration.queued_at == registration.queued_at)
                    & (Registration.id < registration.id)
                ),
            )
        ).one()
    )


def registration_of(event: Event, user: User) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )


def register(event: Event, user: User, language: str | None, now: datetime) -> Registration:
    """Register a person: confirmed while places remain, else on the waiting list (or pending
    approval when the organisers choose); registering twice changes nothing."""
    now = max(now, _lock(event))
    registration = registration_of(event, user)
    if registration is not None and registration.status in ACTIVE_STATUSES:
        return registration
    if registration is not None and registration.status == "declined":
        raise Refused(_("The organisers have declined your registration for this event."))
    refusal = registration_refusal(user, event, now)
    if refusal:
        raise Refused(refusal)
    if language is not None and language not in event.languages:
        raise Refused(_("Choose one of the event's languages."), 400)
    if event.requires_approval:
        status = RegistrationStatus.PENDING
    else:
        status = RegistrationStatus.CONFIRMED if _has_room(event) else RegistrationStatus.WAITING
    if registration is None:
        registration = Registration(event=event, user=user)
        db.session.add(registration)
    registration.status = status
    registration.language = language
    registration.registered_at = registration.queued_at = now
    registration.confirmed_at = now if status == RegistrationStatus.CONFIRMED else None
    registration.cancelled_at = registration.attended = registration.reminded_at = None
    _store_count(event)
    audit.record("event.registered", event, user, status=registration.status)
    template = {
        RegistrationStatus.PENDING: "event_pending",
        RegistrationStatus.CONFIRMED: "event_registered",
    }
    _tell(
        registration,
        template.get(registration.status, "event_waiting"),
        position=waiting_position(registration)
        if registration.status == RegistrationStatus.WAITING
        else None,
    )
    return registration


def outcome_message(status: str) -> str:
    """What the person is told once registered (the page's message and the API's)."""
    messages: dict[str, str] = {
        RegistrationStatus.CONFIRMED: _(
            "You are registered. A confirmation is on its way by email."
        ),
        RegistrationStatus.WAITING: _(
            "The event is full: you are on the waiting list. We will email you if a place frees up."
        ),
        RegistrationStatus.PENDING: _("Your registration is waiting for the organisers' approval."),
    }
    return messages[status]


def _fill_places(event: Event, now: datetime) -> list[Registration]:
    """Promote from the waiting list, first come first served, while places are free."""
    promoted: list[Registration] = []
    if event.has_started(now) or not event.is_published:
        return promoted
    while _has_room(event):
        registration = db.session.scalar(
            select(Registration)
            .where(
                Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITING
            )
            .order_by(Registration.queued_at, Registration.id)
            .limit(1)
        )
        if registration is None:
            break
        _confirm(registration, now)
        audit.record("event.promoted", event, registration.user)
        _tell(registration, "event_promoted")
        promoted.append(registration)
    return promoted


def _withdraw(registration: Registration, status: str, now: datetime) -> list[Registration]:
    """End an active registration; a freed place goes to the people waiting."""
    registration.status = status
    db.session.flush()
    promoted = _fill_places(registration.event, now)
    _store_count(registration.event)
    return promoted


def cancel(registration: Registration, by: User, now: datetime) -> list[Registration]:
    """Give up a place or a waiting-list spot; the place goes to the next person waiting."""
    event = registration.event
    _lock(event)
    db.session.refresh(registration)
    if registration.status not in ACTIVE_STATUSES:
        return []
    if event.has_ended(now):
        raise Refused(_("This event is over."), 409)
    registration.cancelled_at = now
    audit.record("event.registration_cancelled", event, by, registration=registration.id)
    return _withdraw(registration, RegistrationStatus.CANCELLED, now)


def approve(registration: Registration, by: User, now: datetime) -> Registration:
    """Accept a pending registration: a place if one is free, else the waiting list."""
    event = registration.event
    now = max(now, _lock(event))
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise Refused(_("Only registrations awaiting approval can be approved."), 409)
    registration.decided_by_id = by.id
    registration.queued_at = now
    if _has_room(event):
        _confirm(registration, now)
        _tell(registration, "event_registered")
    else:
        registration.status = RegistrationStatus.WAITING
        db.session.flush()
        _tell(registration, "event_waiting", position=waiting_position(registration))
    _store_count(event)
    audit.record("event.registration_approved", event, by, registration=registration.id)
    return registration


def decline(registration: Registration, by: User, now: datetime) -> list[Registration]:
    """Refuse a registration (pending, waiting or confirmed); a freed place is passed on."""
    event = registration.event
    _lock(event)
    db.session.refresh(registration)
    if registration.status not in ACTIVE_STATUSES:
        raise Refused(_("This registration is no longer active."), 409)
    registration.decided_by_id = by.id
    audit.record("event.registration_declined", event, by, registration=registration.id)
    promoted = _withdraw(registration, RegistrationStatus.DECLINED, now)
    _tell(registration, "event_declined")
    return promoted


def change_capacity(event: Event, capacity: int | None, now: datetime) -> list[Registration]:
    """Set the number of places; never below the places already given."""
    _lock(event)
    confirmed = _confirmed_count(event)
    if capacity is not None and capacity < confirmed:
        raise Refused(
            _(
                "%(count)s people already hold a place: the capacity cannot be lower.",
                count=confirmed,
            ),
            400,
        )
    event.capacity = capacity
    db.session.flush()
    promoted = _fill_places(event, now)
    _store_count(event)
    return promoted


def active_registrations(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
            .order_by(Registration.id)
        )
    )


def upcoming_for(user: User, now: datetime, limit: int = 3) -> list[tuple[Registration, Event]]:
    """The person's next events, with their registration (one query)."""
    return list(
        db.session.execute(
            select(Registration, Event)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Registration.user_id == user.id,
                Registration.status.in_(ACTIVE_STATUSES),
                Event.status != EventStatus.DRAFT,
                Event.ends_at > now,
            )
            .order_by(Event.starts_at)
            .limit(limit)
        ).all()
    )


def tell_everyone(event: Event, template: str, **context: Any) -> int:
    """Email every active registrant of the event (postponed, cancelled, a message)."""
    registrations = active_registrations(event)
    for registration in registrations:
        _tell(registration, template, **context)
    return len(registrations)


def mark_attendance(event: Event, attended_ids: set[int], by: User, now: datetime) -> int:
    """Record who came, among the confirmed registrations, once the event has begun."""
    if not event.has_started(now):
        raise Refused(_("Attendance can be recorded once the event has started."), 409)
    count = 0
    for registration in db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    ):
        registration.attended = registration.id in attended_ids
        count += registration.attended
    audit.record("event.attendance", event, by, attended=count)
    return count


def send_reminders(now: datetime) -> int:
    """Remind every confirmed registrant of events starting within 24 hours, once each."""
    due = db.session.scalars(
        select(Registration.id)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.reminded_at.is_(None),
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > now,
            Event.starts_at <= now + REMINDER_AHEAD,
        )
    ).all()
    sent = 0
    for registration_id in due:
        claimed = rows_changed(
            update(Registration)
            .where(Registration.id == registration_id, Registration.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed:
            _tell(db.session.get_one(Registration, registration_id), "event_reminder")
            sent += 1
    log.info("%s event reminders queued", sent)
    return sent


@account_deleting.connect
def _release_places(user: User) -> None:
    """A deleted account gives its places back, to the people waiting."""
    held = db.session.scalars(
        select(Registration).where(
            Registration.user_id == user.id, Registration.status.in_(ACTIVE_STATUSES)
        )
    ).all()
    now = utcnow()
    for registration in held:
        if not registration.event.has_ended(now):
            cancel(registration, user, now)


@account_exporting.connect
def _export(user: User) -> dict[str, Any]:
    """A person's event registrations, for their data export."""
    rows = db.session.execute(
        select(Registration, Event.title, Event.starts_at)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id)
        .order_by(Registration.id)
    ).all()
    return {
        "event_registrations": [
            {
                "event": title,
                "starts_at": isoformat_utc(starts_at),
                "status": registration.status,
                "interpretation_language": registration.language,
                "registered_at": isoformat_utc(registration.registered_at),
                "attended": registration.attended,
            }
            for registration, title, starts_at in rows
        ]
    }
