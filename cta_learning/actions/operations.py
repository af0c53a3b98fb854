"""Changes to actions: drafting, submission, moderation and corrections."""

import logging
from datetime import date
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import selectinload

from cta_learning import access, audit
from cta_learning.accounts.models import Organisation, User
from cta_learning.actions import fields
from cta_learning.actions.classification import Classification, classify, pledge_type
from cta_learning.actions.models import (
    EDITABLE_STATUSES,
    SUBMITTED_STATUSES,
    Action,
    ActionPriority,
    ActionStatus,
    ActionTranslation,
    CorrectionRequest,
    CorrectionStatus,
)
from cta_learning.database import rows_changed, utcnow
from cta_learning.extensions import db
from cta_learning.mail.operations import email_user

log = logging.getLogger(__name__)


class ActionStateError(ValueError):
    """The action is not in a state that allows this change."""


def recent_actions(organisation: Organisation, limit: int = 5) -> list[Action]:
    """The organisation's latest actions, for its dashboard (one query)."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.organisation_id == organisation.id)
            .order_by(Action.updated_at.desc())
            .limit(limit)
        )
    )


def organisations_acting_in(priority_id: int) -> Select[int]:
    """A subquery of the organisations with a submitted or published action in the area."""
    return (
        select(Action.organisation_id)
        .join(ActionPriority, ActionPriority.action_id == Action.id)
        .where(
            ActionPriority.priority_id == priority_id,
            Action.status.in_(SUBMITTED_STATUSES),
        )
    )


def priority_areas_of(organisation: Organisation | None) -> set[int]:
    """The priority areas of the organisation's submitted and published actions (one query)."""
    if organisation is None:
        return set()
    return set(
        db.session.scalars(
            select(ActionPriority.priority_id)
            .join(Action, Action.id == ActionPriority.action_id)
            .where(
                Action.organisation_id == organisation.id,
                Action.status.in_(SUBMITTED_STATUSES),
            )
            .distinct()
        )
    )


def create_draft(organisation: Organisation, by: User, language: str) -> Action:
    action = Action(organisation_id=organisation.id, created_by_id=by.id, language=language)
    db.session.add(action)
    db.session.flush()
    audit.record("action.drafted", action, by)
    return action


def start_draft(organisation: Organisation, by: User, language: str) -> Action:
    """The organisation's untouched blank draft if it has one, else a new draft."""
    untitled = db.session.scalars(
        select(Action)
        .where(
            Action.organisation_id == organisation.id,
            Action.status == ActionStatus.DRAFT,
            Action.title == "",
            Action.description == "",
        )
        .order_by(Action.id)
        .options(selectinload(Action.priority_links))
    )
    blank = next((action for action in untitled if fields.is_blank(action)), None)
    return blank or create_draft(organisation, by, language)


def draft_to_resume(organisation_id: int) -> Action | None:
    """The organisation's most recently changed editable action (two queries)."""
    return db.session.scalar(
        select(Action)
        .where(Action.organisation_id == organisation_id, Action.status.in_(EDITABLE_STATUSES))
        .order_by(Action.updated_at.desc(), Action.id.desc())
        .limit(1)
        .options(selectinload(Action.priority_links))
    )


def next_step(action: Action) -> str | None:
    """The first step with answers still needed; None when only the review is left."""
    incomplete = missing(action)
    return next((step for step in fields.STEPS if step in incomplete), None)


def apply_fields(action: Action, data: dict[str, Any]) -> None:
    """Copy the given fields onto the action (priorities and target groups included)."""
    for name, value in data.items():
        if name == "priorities":
            action.priority_links = [ActionPriority(priority_id=pid) for pid in sorted(set(value))]
        elif name == "target_groups":
            for group in ("migrants", "refugees", "idps", "stateless"):
                setattr(action, f"targets_{group}", group in value)
        else:
            if name in fields.TEXT:
                value = value or ""
            setattr(action, name, None if value == "" and name not in fields.TEXT else value)
    if action.is_ongoing:
        action.end_on = None
    action.pledge_type = pledge_type(action.target_groups)


def save_step(action: Action, step: str, data: dict[str, Any], by: User) -> None:
    """Save one step of a draft."""
    if not action.is_editable:
        raise ActionStateError(action.status)
    apply_fields(action, {name: data[name] for name in fields.STEP_FIELDS[step] if name in data})
    log.info("action %s step %s saved by %s", action.id, step, by.id)


def missing(action: Action) -> dict[str, list[str]]:
    """Per step, the required fields still empty."""
    result = {
        step: [name for name, value in fields.values(action, names).items() if not value]
        for step, names in fields.REQUIRED.items()
    }
    if action.start_on and not action.is_ongoing and action.end_on is None:
        result["timeline"].append("end_on")
    return {step: names for step, names in result.items() if names}


def classification(action: Action, today: date | None = None) -> Classification | None:
    """The derived classification of a complete action (None while dates are missing)."""
    if action.start_on is None:
        return None
    return classify(
        action.target_groups,
        action.start_on,
        action.end_on,
        bool(action.results.strip()),
        today or date.today(),
    )


def submit(action: Action, by: User) -> bool:
    """Submit a complete draft and unlock the organisation; False if it was already submitted.

    The status changes in one conditional UPDATE, so two clicks at once submit once.
    """
    if missing(action):
        raise ActionStateError("incomplete")
    changed = rows_changed(
        update(Action)
        .where(Action.id == action.id, Action.status.in_(EDITABLE_STATUSES))
        .values(
            status=ActionStatus.SUBMITTED,
            submitted_at=utcnow(),
            submitted_by_id=by.id,
            moderation_reason=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(action)
    if not changed:
        return False
    audit.record("action.submitted", action, by)
    access.grant_for_action(action.organisation, action.id, by)
    return True


def publish(action: Action, by: User) -> None:
    if action.status != ActionStatus.SUBMITTED:
        raise ActionStateError(action.status)
    action.status, action.published_at = ActionStatus.PUBLISHED, utcnow()
    audit.record("action.published", action, by)
    _tell_organisation(action, "action_published")


def return_to_organisation(action: Action, reason: str, by: User) -> None:
    """Send a submitted action back for changes; its benefits stay."""
    if action.status != ActionStatus.SUBMITTED:
        raise ActionStateError(action.status)
    action.status, action.moderation_reason = ActionStatus.RETURNED, reason
    audit.record("action.returned", action, by, reason=reason)
    _tell_organisation(action, "action_returned", reason=reason)


def reject(action: Action, reason: str, by: User) -> None:
    """Reject an invalid submission and revoke what it alone had unlocked."""
    if action.status not in (*SUBMITTED_STATUSES, ActionStatus.RETURNED):
        raise ActionStateError(action.status)
    action.status = ActionStatus.REJECTED
    action.moderation_reason, action.published_at = reason, None
    audit.record("action.rejected", action, by, reason=reason)
    access.revoke_for_action(action.organisation, action.id, reason, by)
    _tell_organisation(action, "action_rejected", reason=reason)


def _tell_organisation(action: Action, template: str, **context: Any) -> None:
    for membership in action.organisation.memberships:
        email_user(membership.user, template, action=action, **context)


def request_correction(action: Action, message: str, by: User) -> CorrectionRequest:
    if action.status not in SUBMITTED_STATUSES:
        raise ActionStateError(action.status)
    request = CorrectionRequest(action_id=action.id, requested_by_id=by.id, message=message)
    db.session.add(request)
    db.session.flush()
    audit.record("action.correction_requested", action, by, request_id=request.id)
    return request


def apply_correction(request: CorrectionRequest, data: dict[str, Any], by: User) -> dict[str, Any]:
    """Apply the secretariat's changes to a submitted action, recording before and after."""
    if request.status != CorrectionStatus.OPEN:
        raise ActionStateError(request.status)
    action = request.action
    before = fields.snapshot(action)
    apply_fields(action, data)
    after = fields.snapshot(action)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    request.status = CorrectionStatus.APPLIED
    request.handled_by_id, request.handled_at = by.id, utcnow()
    request.changes = changes
    audit.record("action.corrected", action, by, request_id=request.id, changes=changes)
    if request.requested_by:
        email_user(request.requested_by, "correction_applied", action=action)
    return changes


def decline_correction(request: CorrectionRequest, reason: str, by: User) -> None:
    if request.status != CorrectionStatus.OPEN:
        raise ActionStateError(request.status)
    request.status, request.reason = CorrectionStatus.DECLINED, reason
    request.handled_by_id, request.handled_at = by.id, utcnow()
    audit.record("action.correction_declined", request.action, by, request_id=request.id)
    if request.requested_by:
        email_user(
            request.requested_by, "correction_declined", action=request.action, reason=reason
        )


def set_translation(action: Action, language: str, title: str, description: str, by: User) -> None:
    """Add or replace the title and description of an action in another language."""
    existing = next((t for t in action.translations if t.language == language), None)
    if existing is None:
        action.translations.append(
            ActionTranslation(language=language, title=title, description=description)
        )
    else:
        existing.title, existing.description = title, description
    audit.record("action.translated", action, by, language=language)
