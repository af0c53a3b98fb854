"""Who may manage an event, who may register for it, and which events suit an organisation.

Every view asks here; nothing else decides. The unlock itself is `access.may_use`, and the
priority areas of an organisation are those of its submitted actions.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from cta_learning.access import may_use
from cta_learning.accounts.models import Organisation, User
from cta_learning.actions.operations import priority_areas_of
from cta_learning.community.events.models import (
    Event,
    EventInvitation,
    EventPriority,
    EventStatus,
)
from cta_learning.extensions import db
from cta_learning.security import has_role


def can_manage(user: User, event: Event) -> bool:
    """Admins manage every event; organisers the events they created."""
    if has_role(user, "admin"):
        return True
    return has_role(user, "organiser") and event.created_by_id == user.id


def audience_refusal(user: User, event: Event) -> str | None:
    """Why this signed-in person is outside the event's audience, or None."""
    if has_role(user, "organiser") or event.audience == "everyone":
        return None
    if event.audience == "members":
        if may_use(user, "member_events"):
            return None
        return _(
            "This event is for members of organisations that have submitted an action to the "
            "Call. Submit an action to join it."
        )
    if event.audience == "invited":
        organisation = user.organisation
        if (
            organisation is not None
            and db.session.get(EventInvitation, (event.id, organisation.id)) is not None
        ):
            return None
        return _("This event is for invited organisations only.")
    if may_use(user, "member_events") and priority_areas_of(user.organisation) & set(
        event.priority_ids
    ):
        return None
    return _(
        "This event is for members whose organisation has submitted an action in one of its "
        "priority areas."
    )


def may_see(user: User, event: Event) -> bool:
    """Published and cancelled events are for everyone; drafts only for those who manage them
    (to anyone else a draft does not exist: a 404, never a 403)."""
    return event.status != EventStatus.DRAFT or can_manage(user, event)


def closed_refusal(event: Event, now: datetime) -> str | None:
    """Why the event takes no registration now, whoever asks (the API answers 409), or None."""
    if event.is_cancelled:
        return _("This event has been cancelled.")
    if not event.is_published:
        return _("This event is not open for registration.")
    if event.has_started(now):
        return _("This event has already started.")
    if event.registration_deadline is not None and now > event.registration_deadline:
        return _("Registration for this event has closed.")
    return None


def registration_refusal(user: User, event: Event, now: datetime) -> str | None:
    """Why this person may not register now, or None when they may."""
    return closed_refusal(event, now) or audience_refusal(user, event)


def segment_fits(event: Event, starts_at: datetime, ends_at: datetime) -> bool:
    """An agenda segment lies within its event's times (all in UTC)."""
    return event.starts_at <= starts_at and ends_at <= event.ends_at


def recommended_events(
    organisation: Organisation | None, now: datetime, limit: int = 3
) -> list[Event]:
    """Upcoming events in the priority areas of the organisation's actions (two queries)."""
    areas = priority_areas_of(organisation)
    if not areas:
        return []
    # EXISTS, not IN: the next events are read in date order and the first `limit` that match
    # end the search, however many events share the areas.
    matching = (
        select(EventPriority.event_id)
        .where(EventPriority.event_id == Event.id, EventPriority.priority_id.in_(areas))
        .exists()
    )
    return list(
        db.session.scalars(
            select(Event)
            .where(matching, Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
            .order_by(Event.starts_at)
            .limit(limit)
        )
    )
