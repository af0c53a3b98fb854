"""The personal operations of the API: the caller's account, organisation, courses and event
registrations, and registering for events. Who calls is decided in `authentication.py` (a
personal token or the session); what they may do, by the rules the pages ask: `access.py`,
the events' `rules.py` and `registration_operations.py`. Nothing here reads anyone else's
data: every query starts from the caller."""

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cta_learning import access, i18n
from cta_learning.actions.models import Action, ActionStatus
from cta_learning.api.v1 import personal_schemas as schemas
from cta_learning.api.v1.authentication import personal
from cta_learning.api.v1.framework import endpoint, page_of, paginate
from cta_learning.community.events import registration_operations as registrations
from cta_learning.community.events import rules
from cta_learning.community.events.listing import load_translations
from cta_learning.community.events.models import (
    ACTIVE_STATUSES,
    Event,
    Registration,
    RegistrationStatus,
)
from cta_learning.courses.models import Certificate
from cta_learning.courses.progress import learner_courses
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.refusals import Refused
from cta_learning.security import acting_user, public_url_for

NO_EVENT = _l("There is no such event.")


def _utc(moment: datetime | None) -> datetime | None:
    """A stored (naive, UTC) time, marked as UTC for clients."""
    return moment.replace(tzinfo=UTC) if moment is not None else None


# --- The account ---------------------------------------------------------------------------


@endpoint(
    "/me",
    summary=_l("Your account"),
    tags=["personal"],
    response=schemas.MeSchema,
    security=True,
    errors=(401, 403),
)
@personal("read")
def me():
    """The signed-in person, or the owner of the token: name, email, language, time zone, role."""
    user = acting_user()
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "language": user.locale,
        "time_zone": user.timezone,
        "role": user.role,
    }


@endpoint(
    "/me/organisation",
    summary=_l("Your organisation and its benefits"),
    tags=["personal"],
    response=schemas.MyOrganisationSchema,
    security=True,
    errors=(401, 403, 404),
)
@personal("read")
def my_organisation():
    """Your organisation, the benefits it opens (since when) and the grants that keep them
    open (which submitted action); a 404 when you belong to none."""
    membership = acting_user().membership
    if membership is None:
        raise Refused(_("You do not belong to an organisation."), 404)
    organisation = membership.organisation
    grants = access.access_for(organisation).grants
    actions = {
        action.id: action
        for action in db.session.scalars(
            select(Action).where(Action.id.in_([g.action_id for g in grants if g.action_id]))
        )
    }
    since = _utc(organisation.unlocked_at)
    return {
        "id": organisation.id,
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
        "region": organisation.region,
        "preferred_language": organisation.preferred_language,
        "role": membership.role,
        "joined_at": _utc(membership.joined_at),
        "unlocked_at": since,
        "benefits": [
            {
                "benefit": benefit,
                "label": str(access.BENEFIT_LABELS[benefit]),
                "open": since is not None,
                "since": since,
            }
            for benefit in access.BENEFITS
        ],
        "grants": [
            {
                "granted_at": _utc(grant.granted_at),
                "manual": grant.is_manual,
                "action": _grant_action(actions.get(grant.action_id or 0)),
            }
            for grant in grants
        ],
    }


def _grant_action(action: Action | None) -> dict | None:
    if action is None:
        return None
    published = action.status == ActionStatus.PUBLISHED
    return {
        "id": action.id,
        "title": action.title,
        "status": action.status,
        "url": public_url_for("repository.detail", action_id=action.id) if published else None,
    }


@endpoint(
    "/me/courses",
    summary=_l("Your courses and progress"),
    tags=["personal"],
    response=schemas.EnrolmentListSchema,
    security=True,
    errors=(401, 403),
)
@personal("read")
def my_courses():
    """The courses you are enrolled in, latest first: lessons done, the total, the percentage,
    and the certificate once the course is complete, with the address that checks it."""
    enrolled = learner_courses(acting_user())
    certificates = {
        certificate.enrolment_id: certificate
        for certificate in db.session.scalars(
            select(Certificate).where(
                Certificate.enrolment_id.in_(
                    [enrolment.id for enrolment, _done, _total in enrolled]
                )
            )
        )
    }
    language = i18n.current_language()
    return {
        "items": [
            {
                "course": {
                    "slug": enrolment.course.slug,
                    "title": _course_title(enrolment.course.title, language),
                    "url": public_url_for("courses.syllabus", slug=enrolment.course.slug),
                },
                "enrolled_at": _utc(enrolment.enrolled_at),
                "last_seen_at": _utc(enrolment.last_seen_at),
                "completed_at": _utc(enrolment.completed_at),
                "progress": {
                    "done": done,
                    "total": total,
                    "percent": round(100 * done / total) if total else 0,
                },
                "certificate": _certificate(certificates.get(enrolment.id)),
            }
            for enrolment, done, total in enrolled
        ]
    }


def _course_title(titles: dict, language: str) -> dict:
    text, fallback = i18n.translated(titles, language)
    if fallback:
        language = next(code for code, value in titles.items() if value == text)
    return {"text": text, "language": language}


def _certificate(certificate: Certificate | None) -> dict | None:
    if certificate is None:
        return None
    return {
        "code": certificate.code,
        "issued_at": _utc(certificate.issued_at),
        "check_url": public_url_for("courses.certificate", code=certificate.code),
    }


# --- Event registrations -------------------------------------------------------------------


def _registration(registration: Registration, language: str) -> dict:
    event = registration.event
    text = event.text(language)
    waiting = registration.status == RegistrationStatus.WAITING
    return {
        "event": {
            "id": event.id,
            "url": public_url_for("events.detail", event_id=event.id),
            "status": event.status,
            "title": {"text": text.title, "language": text.lang("title")},
            "starts_at": _utc(event.starts_at),
            "ends_at": _utc(event.ends_at),
            "timezone": event.timezone,
        },
        "status": registration.status,
        "waiting_position": registrations.waiting_position(registration) if waiting else None,
        "language": registration.language,
        "registered_at": _utc(registration.registered_at),
        "confirmed_at": _utc(registration.confirmed_at),
        "cancelled_at": _utc(registration.cancelled_at),
        "attended": registration.attended,
    }


@endpoint(
    "/me/registrations",
    summary=_l("Your event registrations"),
    tags=["personal"],
    query=schemas.RegistrationQuery,
    response=page_of(schemas.RegistrationSchema),
    security=True,
    errors=(401, 403),
)
@personal("read")
def my_registrations(args: dict):
    """Your registrations, cancelled ones included, latest event first (`when` narrows them to
    upcoming or past events)."""
    now = utcnow()
    statement = (
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == acting_user().id)
        .options(joinedload(Registration.event))
        .order_by(Event.starts_at.desc(), Registration.id.desc())
    )
    if args["when"] == "upcoming":
        statement = statement.where(Event.ends_at > now)
    elif args["when"] == "past":
        statement = statement.where(Event.ends_at <= now)
    page = paginate(statement, args)
    load_translations(registration.event for registration in page["items"])
    language = i18n.current_language()
    page["items"] = [_registration(row, language) for row in page["items"]]
    return page


def _visible_event(event_id: int) -> Event:
    """An event the caller may see; a draft they do not manage does not exist for them."""
    event = db.session.get(Event, event_id)
    if event is None or not rules.may_see(acting_user(), event):
        raise Refused(NO_EVENT, 404)
    return event


def _answer(registration: Registration, message: str) -> dict:
    load_translations([registration.event])
    return {**_registration(registration, i18n.current_language()), "message": message}


@endpoint(
    "/events/<int:event_id>/registration",
    ("POST",),
    summary=_l("Register for an event"),
    tags=["personal"],
    query=schemas.RegisterQuery,
    response=schemas.RegistrationChangeSchema,
    security=True,
    errors=(401, 403, 409),
)
@personal("registrations")
def register(event_id: int, args: dict):
    """Register as on the event's page: a place while places remain, else the waiting list
    (or approval, when the organisers choose). Registering twice changes nothing. 403 outside
    the event's audience; 409 once registration is closed."""
    event, now = _visible_event(event_id), utcnow()
    closed = rules.closed_refusal(event, now)
    if closed:
        raise Refused(closed, 409)
    registration = registrations.register(event, acting_user(), args.get("language"), now)
    return _answer(registration, registrations.outcome_message(registration.status))


@endpoint(
    "/events/<int:event_id>/registration",
    ("DELETE",),
    summary=_l("Cancel your registration"),
    tags=["personal"],
    response=schemas.RegistrationChangeSchema,
    security=True,
    errors=(401, 403, 409),
)
@personal("registrations")
def cancel_registration(event_id: int):
    """Give up your place or waiting-list spot, as on the event's page; the place goes to the
    next person waiting. Cancelling twice changes nothing; 404 without a registration; 409
    once the event is over."""
    event = _visible_event(event_id)
    registration = registrations.registration_of(event, acting_user())
    if registration is None:
        raise Refused(_("You are not registered for this event."), 404)
    if registration.status == RegistrationStatus.DECLINED:
        raise Refused(_("This registration is no longer active."), 409)
    if registration.status in ACTIVE_STATUSES:
        registrations.cancel(registration, acting_user(), utcnow())
    return _answer(registration, _("Your registration is cancelled."))
