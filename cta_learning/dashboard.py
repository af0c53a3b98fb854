"""The signed-in person's dashboard: the one page that gathers every feature.

It sits at the top of the house, above the features it shows, so that accounts (below all of
them) imports none. Each section is a function `(user, organisation) -> template variables`,
listed once in SECTIONS; a feature joins the dashboard with a section here and an include in
the template.
"""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template

from cta_learning.access import BENEFIT_LABELS, standing
from cta_learning.accounts.models import Organisation, User
from cta_learning.actions.operations import recent_actions
from cta_learning.community.events.listing import load_translations
from cta_learning.community.events.registration_operations import upcoming_for
from cta_learning.community.events.rules import recommended_events
from cta_learning.community.mailing.subscriptions import subscription_of
from cta_learning.community.mgi.operations import latest_request
from cta_learning.courses.progress import learner_courses
from cta_learning.database import utcnow
from cta_learning.security import acting_user, require_role

Section = Callable[[User, Organisation | None], dict[str, Any]]

bp = Blueprint("dashboard", __name__)


def access_section(user: User, organisation: Organisation | None) -> dict[str, Any]:
    """What the organisation's first action opens, and whether it is open yet."""
    return {"access": standing(organisation), "benefit_labels": BENEFIT_LABELS}


def actions_section(user: User, organisation: Organisation | None) -> dict[str, Any]:
    """The organisation's latest actions (one query)."""
    return {"actions": recent_actions(organisation) if organisation else []}


def courses_section(user: User, organisation: Organisation | None) -> dict[str, Any]:
    """The person's courses and progress (two queries)."""
    return {"courses": learner_courses(user)}


def events_section(user: User, organisation: Organisation | None) -> dict[str, Any]:
    """The person's next events, and upcoming ones in their organisation's priority areas, with
    their translations (one query more, when there are events)."""
    now = utcnow()
    mine = upcoming_for(user, now)
    taken = {event.id for _registration, event in mine}
    suggested = [
        event for event in recommended_events(organisation, now, limit=6) if event.id not in taken
    ]
    load_translations([*(event for _registration, event in mine), *suggested[:3]])
    return {"my_events": mine, "recommended_events": suggested[:3]}


def mgi_section(user: User, organisation: Organisation | None) -> dict[str, Any]:
    """The government's Local MGI request (one query at most)."""
    return {"mgi_request": latest_request(organisation)}


def mailing_section(user: User, organisation: Organisation | None) -> dict[str, Any]:
    """The person's own mailing-list subscription, with its topics (one query)."""
    return {"subscription": subscription_of(user)}


SECTIONS: tuple[Section, ...] = (
    access_section,
    actions_section,
    courses_section,
    mgi_section,
    events_section,
    mailing_section,
)


def sections_for(user: User, organisation: Organisation | None) -> dict[str, Any]:
    """The template variables of every section, for this person and organisation."""
    variables: dict[str, Any] = {}
    for section in SECTIONS:
        variables.update(section(user, organisation))
    return variables


@bp.get("/dashboard")
@require_role("member")
def show():
    user = acting_user()
    membership = user.membership
    organisation = membership.organisation if membership else None
    return render_template(
        "dashboard/show.html", membership=membership, **sections_for(user, organisation)
    )
