"""Arranging actions for tests."""

from datetime import date

from cta_learning.accounts.models import Organisation, User
from cta_learning.actions import operations
from cta_learning.actions.models import Action
from cta_learning.extensions import db

COMPLETE = {
    "title": "Welcome desk for newcomers",
    "description": "A **desk** at the city hall.",
    "language": "en",
    "start_on": date(2023, 10, 1),
    "is_ongoing": True,
    "results": "",
    "target_groups": {"migrants", "refugees"},
    "priorities": [3, 5],
}


def make_action(app, organisation, user, status="draft", **fields) -> int:
    """An action of the organisation, complete unless fields say otherwise; returns its id."""
    with app.app_context():
        by = db.session.get(User, user.id)
        action = operations.create_draft(db.session.get(Organisation, organisation.id), by, "en")
        operations.apply_fields(action, {**COMPLETE, **fields})
        if status != "draft":
            operations.submit(action, by)
        if status == "published":
            operations.publish(action, by)
        db.session.commit()
        return action.id


def load(app, action_id: int) -> Action:
    with app.app_context():
        action = db.session.get(Action, action_id)
        _ = action.priority_ids
        db.session.expunge(action)
        return action
