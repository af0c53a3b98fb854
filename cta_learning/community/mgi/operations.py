"""Registering interest in Local MGI and moving requests along the secretariat's pipeline.

Every change is recorded as a step change and audited, and every member of the organisation
hears of it by email, in their own language.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from cta_learning import audit
from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.community.mgi.models import FINAL_STEPS, MgiRequest, MgiStep, MgiStepChange
from cta_learning.community.mgi.rules import step_refusal
from cta_learning.extensions import db
from cta_learning.mail.operations import email_user
from cta_learning.security import public_url_for

# Columns a member fills in through the interest form.
INTEREST_FIELDS = (
    "focal_name",
    "focal_position",
    "focal_email",
    "focal_phone",
    "motivation",
    "population_context",
    "previous_assessments",
    "departments",
    "language",
)


class AlreadyOpen(Exception):
    """The organisation already has an open request (`request`)."""

    def __init__(self, request: MgiRequest):
        super().__init__(f"organisation {request.organisation_id} has request {request.id}")
        self.request = request


def open_request_of(organisation: Organisation) -> MgiRequest | None:
    return db.session.scalar(
        select(MgiRequest).where(
            MgiRequest.organisation_id == organisation.id, MgiRequest.step.not_in(FINAL_STEPS)
        )
    )


def requests_of(organisation: Organisation) -> list[MgiRequest]:
    """The organisation's requests, newest first."""
    return list(
        db.session.scalars(
            select(MgiRequest)
            .where(MgiRequest.organisation_id == organisation.id)
            .order_by(MgiRequest.created_at.desc(), MgiRequest.id.desc())
        )
    )


def latest_request(organisation: Organisation | None) -> MgiRequest | None:
    """For the dashboard: the government's open request, else its last one (one query at
    most; none for partners or people without an organisation)."""
    if organisation is None or not organisation.is_government:
        return None
    return db.session.scalar(
        select(MgiRequest)
        .where(MgiRequest.organisation_id == organisation.id)
        .order_by(MgiRequest.created_at.desc(), MgiRequest.id.desc())
        .limit(1)
    )


def _tell_members(request: MgiRequest, template: str, **context: Any) -> int:
    """Email every member of the request's organisation."""
    users = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == request.organisation_id, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    link = public_url_for("mgi.index")
    for user in users:
        email_user(user, template, mgi_request=request, link=link, **context)
    return len(users)


def register_interest(
    organisation: Organisation, values: dict[str, Any], by: User, now: datetime
) -> MgiRequest:
    """A new request at the step "received"; AlreadyOpen if the organisation has one (also
    when another member sends the form at the same moment)."""
    existing = open_request_of(organisation)
    if existing is not None:
        raise AlreadyOpen(existing)
    request = MgiRequest(
        organisation_id=organisation.id,
        submitted_by_id=by.id,
        step=MgiStep.RECEIVED,
        consented_at=now,
        created_at=now,
        step_changed_at=now,
        **{name: values[name] for name in INTEREST_FIELDS},
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:  # the partial unique index: a colleague was a moment faster
        existing = open_request_of(organisation)
        if existing is None:
            raise
        raise AlreadyOpen(existing) from None
    db.session.add(
        MgiStepChange(
            request=request, changed_by_id=by.id, changed_at=now, to_step=MgiStep.RECEIVED
        )
    )
    db.session.flush()
    audit.record("mgi.requested", request, by, organisation_id=organisation.id)
    _tell_members(request, "mgi_received", organisation=organisation)
    return request


def change_step(request: MgiRequest, to_step: str, note: str, by: User, now: datetime) -> int:
    """Move the request along the pipeline (forward only; declining needs a reason), record
    the change and tell every member. Returns how many members were emailed."""
    refusal = step_refusal(request, to_step, note)
    if refusal is not None:
        raise refusal
    from_step = request.step
    request.step, request.step_changed_at = to_step, now
    if to_step == MgiStep.DECLINED:
        request.decline_reason = note.strip()
    db.session.add(
        MgiStepChange(
            request=request,
            changed_by_id=by.id,
            changed_at=now,
            from_step=from_step,
            to_step=to_step,
            note=note.strip(),
        )
    )
    db.session.flush()
    audit.record("mgi.step_changed", request, by, from_step=from_step, to_step=to_step)
    return _tell_members(
        request,
        "mgi_step_changed",
        organisation=request.organisation,
        note=note.strip(),
    )


def listing(
    step: str | None = None, region: str | None = None
) -> tuple[Select[MgiRequest], Select[int]]:
    """The requests (newest first, with their organisation) and their count, filtered."""
    query = select(MgiRequest).join(Organisation, Organisation.id == MgiRequest.organisation_id)
    if step:
        query = query.where(MgiRequest.step == step)
    if region:
        query = query.where(Organisation.region == region)
    count = select(func.count()).select_from(query.subquery())
    ordered = query.options(joinedload(MgiRequest.organisation)).order_by(
        MgiRequest.created_at.desc(), MgiRequest.id.desc()
    )
    return ordered, count


def counts() -> tuple[dict[str, int], dict[str, int]]:
    """How many requests are at each step, and come from each region (one grouped query)."""
    by_step: dict[str, int] = {}
    by_region: dict[str, int] = {}
    rows = db.session.execute(
        select(MgiRequest.step, Organisation.region, func.count())
        .join(Organisation, Organisation.id == MgiRequest.organisation_id)
        .group_by(MgiRequest.step, Organisation.region)
    ).all()
    for step, region, number in rows:
        by_step[step] = by_step.get(step, 0) + number
        by_region[region] = by_region.get(region, 0) + number
    return by_step, by_region
