"""The steps of the action form. A draft may leave fields empty; what is given must be valid."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from babel.numbers import get_currency_name, list_currencies
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from cta_learning import content, languages
from cta_learning.actions.labels import PARTNER_LABELS, TARGET_GROUP_LABELS
from cta_learning.forms import BaseForm, MultiCheckboxField, choices, strip_filter

EARLIEST_START = date(2019, 1, 1)  # the Call welcomes actions that started from 2019
MAX_PRIORITIES_RECOMMENDED = 3
MAX_LINKS = 10


def _at_most(limit: int):
    return Length(max=limit, message=_l("At most %(max)d characters.", max=limit))


class AboutForm(BaseForm):
    title = StringField(
        _l("Title of the action"), filters=[strip_filter], validators=[_at_most(200)]
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip_filter],
        validators=[_at_most(10_000)],
        description=_l(
            "What the action does, for whom, with whom, and what it has achieved. "
            "You can use Markdown: **bold**, lists, links."
        ),
    )
    language = SelectField(
        _l("Language the action is written in"), choices=languages.offered_choices, default="en"
    )


class TimelineForm(BaseForm):
    start_on = DateField(
        _l("Start date"),
        validators=[Optional()],
        description=_l("The Call welcomes actions that started in 2019 or later."),
    )
    is_ongoing = BooleanField(_l("Ongoing, with no planned end date"))
    end_on = DateField(_l("End date"), validators=[Optional()])
    results = TextAreaField(
        _l("Results and lessons so far (optional)"),
        filters=[strip_filter],
        validators=[_at_most(5_000)],
        description=_l("Evidence of results lets an ongoing action count as a good practice too."),
    )

    def validate_start_on(self, field) -> None:
        if field.data and field.data < EARLIEST_START:
            raise ValidationError(_l("The action must have started in 2019 or later."))

    def validate_end_on(self, field) -> None:
        if field.data and self.start_on.data and field.data < self.start_on.data:
            raise ValidationError(_l("The end date is before the start date."))
        if field.data and self.is_ongoing.data:
            raise ValidationError(
                _l("An ongoing action has no end date: remove the end date or untick “ongoing”.")
            )


class PeopleForm(BaseForm):
    target_groups = MultiCheckboxField(
        _l("Who the action serves"),
        choices=choices(TARGET_GROUP_LABELS),
        description=_l("We recommend serving all people on the move, whatever their status."),
    )
    priorities = MultiCheckboxField(_l("Priority areas"), coerce=int)
    many_priorities_confirmed = BooleanField(
        _l("Yes, this action really serves more than three priority areas.")
    )

    def set_priority_choices(self, language: str) -> None:
        self.priorities.choices = choices(
            (priority.id, priority.title[language]) for priority in content.priorities()
        )

    def validate_priorities(self, field) -> None:
        if (
            len(field.data or []) > MAX_PRIORITIES_RECOMMENDED
            and not self.many_priorities_confirmed.data
        ):
            raise ValidationError(
                _l(
                    "Three priority areas at most are recommended. Untick some, or confirm below "
                    "that the action serves all of them."
                )
            )


def _currency_choices(language: str):
    codes = sorted(list_currencies())
    return [("", _l("Choose a currency"))] + [
        (code, f"{code} — {get_currency_name(code, locale=language)}") for code in codes
    ]


class ResourcesForm(BaseForm):
    partners = MultiCheckboxField(_l("Partners in the action"), choices=choices(PARTNER_LABELS))
    budget = DecimalField(
        _l("Budget (optional)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(
                min=Decimal(0),
                max=Decimal("100000000000"),
                message=_l("Enter an amount between 0 and 100 billion."),
            ),
        ],
    )
    currency = SelectField(_l("Currency"), validators=[Optional()])
    beneficiaries = IntegerField(
        _l("Expected number of beneficiaries (optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=100_000_000, message=_l("Enter a number between 0 and 100,000,000.")
            ),
        ],
    )
    links = TextAreaField(
        _l("Links (optional)"),
        filters=[strip_filter],
        validators=[_at_most(5_000)],
        description=_l("Web pages about the action, one address a line (at most 10)."),
    )

    def set_currency_choices(self, language: str) -> None:
        self.currency.choices = choices(_currency_choices(language))

    def validate_budget(self, field) -> None:
        if field.data is not None and not self.currency.data:
            raise ValidationError(_l("Choose the currency of the budget."))

    def validate_links(self, field) -> None:
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if len(lines) > MAX_LINKS:
            raise ValidationError(_l("At most 10 links."))
        for line in lines:
            parts = urlsplit(line)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(line) > 500:
                raise ValidationError(
                    _l("Each line must be a web address starting with https:// or http://.")
                )


STEP_FORMS = {
    "about": AboutForm,
    "timeline": TimelineForm,
    "people": PeopleForm,
    "resources": ResourcesForm,
}
STEP_TITLES = {
    "about": _l("About the action"),
    "timeline": _l("Timeline"),
    "people": _l("People and priorities"),
    "resources": _l("Partners and resources"),
}
FIELD_LABELS = {
    "title": _l("Title of the action"),
    "description": _l("Description"),
    "language": _l("Language the action is written in"),
    "start_on": _l("Start date"),
    "end_on": _l("End date, or tick “ongoing”"),
    "target_groups": _l("Who the action serves"),
    "priorities": _l("Priority areas"),
}


class CorrectionRequestForm(BaseForm):
    message = TextAreaField(
        _l("What should be corrected?"),
        filters=[strip_filter],
        validators=[
            Length(min=10, max=5_000, message=_l("Write between 10 and 5,000 characters."))
        ],
    )
