"""Submissions received from the Call's submission site: match the organisation, record the
action as submitted and unlock, exactly once per external action id."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from cta_learning import access, audit
from cta_learning.accounts.models import Organisation
from cta_learning.actions.models import Action, ActionStatus
from cta_learning.actions.operations import apply_fields
from cta_learning.database import rows_changed
from cta_learning.extensions import db
from cta_learning.i18n import region_for_country

log = logging.getLogger(__name__)
Known = TypeVar("Known", Organisation, Action)  # the two models the webhook knows by external id


class ExternalIdConflict(ValueError):
    """The action's external id already belongs to another organisation."""


@dataclass(frozen=True)
class Submission:
    organisation: Organisation
    action: Action
    created: bool  # False: this action had been received before, nothing changed


def _insert_once(model: type[Organisation | Action], values: dict[str, Any]) -> bool:
    """Insert a row unless one with the same external id exists; whether it was inserted.

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same id instead of failing,
    and needs no savepoint: on SQLite a savepoint that opens the transaction commits it.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["external_id"])
        .returning(model.id)
    )
    # RETURNING says portably whether a row went in (psycopg reports no rowcount here).
    return db.session.execute(statement).scalar() is not None


def _by_external_id(model: type[Known], external_id: str) -> Known | None:
    return db.session.scalar(select(model).where(model.external_id == external_id))


def _existing(model: type[Known], external_id: str) -> Known:
    """The row just inserted, or the one whose insert won the race: it exists either way."""
    return db.session.scalars(select(model).where(model.external_id == external_id)).one()


def match_or_create_organisation(data: dict[str, Any]) -> Organisation:
    """The organisation with this external id; a new one if none. A match keeps its data."""
    values = {**data, "region": region_for_country(data["country"]), "policy_processes": []}
    created = _insert_once(Organisation, values)
    organisation = _existing(Organisation, data["external_id"])
    if created:
        audit.record(
            "organisation.created",
            organisation,
            None,
            source="webhook",
            external_id=organisation.external_id,
        )
    return organisation


def _matching(action: Action, organisation_external_id: str | None) -> Action:
    if action.organisation.external_id != organisation_external_id:
        raise ExternalIdConflict(action.external_id)
    return action


def record_submitted_action(
    organisation_data: dict[str, Any], action_data: dict[str, Any], submitted_at: datetime
) -> Submission:
    """Record an action submitted elsewhere and unlock its organisation; idempotent."""
    fields = dict(action_data)
    external_id = fields.pop("external_id")
    existing = _by_external_id(Action, external_id)
    if existing is not None:  # a repeated notification: answer, change nothing
        action = _matching(existing, organisation_data["external_id"])
        return Submission(action.organisation, action, False)
    organisation = match_or_create_organisation(organisation_data)
    inserted = _insert_once(
        Action,
        {
            "organisation_id": organisation.id,
            "external_id": external_id,
            "status": ActionStatus.DRAFT,
            "language": fields["language"],
        },
    )
    action = _matching(_existing(Action, external_id), organisation.external_id)
    if not inserted:  # the same notification, received at the same moment
        return Submission(organisation, action, False)
    apply_fields(action, fields)
    # One conditional UPDATE, as for a form submission: only a draft becomes submitted.
    changed = rows_changed(
        update(Action)
        .where(Action.id == action.id, Action.status == ActionStatus.DRAFT)
        .values(
            status=ActionStatus.SUBMITTED,
            submitted_at=submitted_at,
            submitted_by_id=None,
            moderation_reason=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(action)
    if changed:
        audit.record("action.submitted", action, None, source="webhook", external_id=external_id)
        access.grant_for_action(organisation, action.id, None)
    log.info(
        "action %s (external %s) submitted by webhook for organisation %s",
        action.id,
        external_id,
        organisation.id,
    )
    return Submission(organisation, action, bool(changed))
