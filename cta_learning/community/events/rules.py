"""Who may manage an event, who may register for it, and which events suit an organisation.

Every view asks here; nothing else decides. The unlock itself is `access.may_use`, and the
priority areas of an organisation are those of its submitted actions.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from cta_learning.access import may_use
from cta_learning.actions.operations import priority_areas_of
from cta_learning.community.events.models import Event, EventInvitation, EventPriority
from cta_learning.extensions import db
from cta_learning.security import has_role


class Refused(Exception):
    """A request the person may not make; `message` says why, `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(str(message))
        self.message = message
        self.status = status


def can_manage(user, event: Event) -> bool:
    """Admins manage every event; organisers the events they created."""
    if has_role(user, "admin"):
        return True
    return has_role(user, "organiser") and event.created_by_id == user.id


def audience_refusal(user, event: Event) -> str | None:
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
        if organisation is not None and db.session.get(
            EventInvitation, (event.id, organisation.id)
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


def registration_refusal(user, event: Event, now: datetime) -> str | None:
    """Why this person may not register now, or None when they may."""
    if event.is_cancelled:
        return _("This event has been cancelled.")
    if not event.is_published:
        return _("This event is not open for registration.")
    if event.has_started(now):
        return _("This event has already started.")
    if event.registration_deadline is not None and now > event.registration_deadline:
        return _("Registration for this event has closed.")
    return audience_refusal(user, event)


def recommended_events(organisation, now: datetime, limit: int = 3) -> list[Event]:
    """Upcoming events in the priority areas of the organisation's actions (two queries)."""
    areas = priority_areas_of(organisation)
    if not areas:
        return []
    matching = select(EventPriority.event_id).where(EventPriority.priority_id.in_(areas)).distinct()
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(matching), Event.status == "published", Event.starts_at > now)
            .order_by(Event.starts_at)
            .limit(limit)
        )
    )
