"""An action's fields, listed once: the form step that asks for each, whether submission needs
it, whether the secretariat may correct it, and how it is read from an action.

The drafting steps, the check before submission, the correction form and the record of a
correction's changes all derive from FIELDS, so a new field is added here and nowhere else.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cta_learning.actions.models import Action

STEPS = ("about", "timeline", "people", "resources")


@dataclass(frozen=True)
class Field:
    name: str
    step: str
    required: bool = False  # a submitted action must have it
    corrected: bool = True  # the secretariat may change it after submission
    text: bool = False  # stored as "" when empty, where other fields store None
    # The value as the forms show it; an attribute of the same name unless given.
    read: Callable[[Action], Any] | None = None

    def value(self, action: Action) -> Any:
        """The field's value on the action, as the forms show it."""
        return self.read(action) if self.read else getattr(action, self.name)


FIELDS: tuple[Field, ...] = (
    Field("title", "about", required=True, text=True),
    Field("description", "about", required=True, text=True),
    Field("language", "about", required=True, corrected=False),
    Field("start_on", "timeline", required=True),
    Field("end_on", "timeline"),
    Field("is_ongoing", "timeline"),
    Field("results", "timeline", text=True),
    Field("target_groups", "people", required=True, read=lambda a: sorted(a.target_groups)),
    Field("priorities", "people", required=True, read=lambda a: a.priority_ids),
    Field("partners", "resources", read=lambda a: list(a.partners or [])),
    Field("links", "resources", text=True),
    Field("budget", "resources"),
    Field("currency", "resources"),
    Field("beneficiaries", "resources"),
)
BY_NAME = {field.name: field for field in FIELDS}
STEP_FIELDS = {step: tuple(f.name for f in FIELDS if f.step == step) for step in STEPS}
REQUIRED = {step: tuple(f.name for f in FIELDS if f.step == step and f.required) for step in STEPS}
CORRECTED = tuple(field.name for field in FIELDS if field.corrected)
TEXT = frozenset(field.name for field in FIELDS if field.text)


def values(action: Action, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields' values on the action, as the forms show them."""
    return {name: BY_NAME[name].value(action) for name in names}


# Set when a draft is made (from the page's language), so it does not count as an answer.
SET_ON_CREATION = frozenset({"language"})


def is_blank(action: Action) -> bool:
    """Whether nobody has entered anything in the action yet."""
    entered = values(action, tuple(f.name for f in FIELDS if f.name not in SET_ON_CREATION))
    return all(value is None or value is False or value in ("", []) for value in entered.values())


def snapshot(action: Action) -> dict[str, Any]:
    """The correctable fields as JSON values, to record a correction's before and after."""
    return {name: _as_json(value) for name, value in values(action, CORRECTED).items()}


def _as_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
