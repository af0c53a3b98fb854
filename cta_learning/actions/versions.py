"""The repository's content version: bumped in the flush that changes what the public list of
published actions shows (`content_versions` explains the versions).

"repository" (the public list of published actions) is bumped by one `before_flush` listener on
every session rather than by each operation: it bumps when a flush adds, changes or deletes an
action whose status is or was "published", a translation or a priority area of a published
action, or an organisation's name, country or region (shown on and filtered by the list). So
publish, return, reject, translate, corrections, the admin's edits and the webhook are all
covered, and a new code path cannot forget. A bulk `update()`/`delete()` of published actions
bypasses the flush and must call `bump("repository")` itself (today's bulk updates only turn
drafts into submissions, which the repository does not show).
"""

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from cta_learning.accounts.models import Organisation
from cta_learning.actions.models import Action, ActionPriority, ActionStatus, ActionTranslation
from cta_learning.content_versions import bump_in

REPOSITORY = "repository"
# The organisation's columns that the repository shows or filters by.
ORGANISATION_COLUMNS = ("name", "country", "region")


def _was_or_is_published(action: Action) -> bool:
    history = inspect(action).attrs.status.history
    statuses = {action.status, *history.deleted}
    return ActionStatus.PUBLISHED in statuses


def _action_of(session: Session, row: ActionTranslation | ActionPriority) -> Action | None:
    if row.action_id is None:  # added with a new action: the action itself is in the flush
        return None
    # Inside a flush autoflush is off; the identity map answers without a query most times.
    return session.get(Action, row.action_id)


def _changes_repository(session: Session) -> bool:
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Action):
            if _was_or_is_published(row):
                return True
        elif isinstance(row, ActionTranslation | ActionPriority):
            action = _action_of(session, row)
            if action is not None and _was_or_is_published(action):
                return True
        elif isinstance(row, Organisation) and row in session.dirty:
            state = inspect(row)
            if any(state.attrs[column].history.has_changes() for column in ORGANISATION_COLUMNS):
                return True
        elif isinstance(row, Organisation) and row in session.deleted:
            return True
    return False


@event.listens_for(FlaskSession, "before_flush")
def _bump_repository(session: Session, flush_context, instances) -> None:
    """Bump "repository" in the flush that changes what the public repository shows."""
    if _changes_repository(session):
        bump_in(session, REPOSITORY)
