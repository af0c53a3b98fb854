"""Forms of the Local MGI module: the interest form, the secretariat's step form and filters."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from cta_learning.community.mgi.models import LANGUAGES, STEPS, MgiStep
from cta_learning.forms import BaseForm, choices, email_field, strip_filter, text_field
from cta_learning.forms import FilterForm as BaseFilterForm

_PHONE = re.compile(r"^\+?[0-9 ().-]+$")


def _check_phone(form, field) -> None:
    digits = sum(character.isdigit() for character in field.data or "")
    if not _PHONE.match(field.data or "") or not 6 <= digits <= 15:
        raise ValidationError(
            _l("Enter a phone number with its country code, like +221 33 123 45 67.")
        )


class InterestForm(BaseForm):
    focal_name = text_field(_l("Name of the focal point"), 120, required=True)
    focal_position = text_field(_l("Position"), 200, required=True)
    focal_email = email_field(_l("Email"), _l("Enter the focal point's email address."))
    focal_phone = StringField(
        _l("Phone"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Enter the focal point's phone number.")),
            Length(max=40, message=_l("At most %(max)d characters.", max=40)),
            _check_phone,
        ],
    )
    motivation = text_field(
        _l("Why does your government want a Local MGI assessment?"),
        5_000,
        required=True,
        area=True,
    )
    population_context = text_field(
        _l("Population and migration context"),
        5_000,
        required=True,
        area=True,
        description=_l(
            "The population of your territory, and who arrives, leaves or is displaced there."
        ),
    )
    previous_assessments = text_field(
        _l("Previous assessments"),
        5_000,
        area=True,
        description=_l("Studies or assessments of your migration policies done before, if any."),
    )
    departments = text_field(
        _l("Departments to involve"),
        2_000,
        area=True,
        description=_l("The services of your administration that would take part."),
    )
    language = RadioField(
        _l("Preferred language for the assessment"), choices=choices(LANGUAGES), default="en"
    )
    consent = BooleanField(
        _l("I agree that the secretariat shares this request and its contact details with IOM."),
        validators=[DataRequired(_l("Your consent is needed: the request goes to IOM."))],
    )


class StepForm(BaseForm):
    step = SelectField(_l("New step"), choices=choices(STEPS))
    note = text_field(
        _l("Note to the organisation"),
        5_000,
        area=True,
        description=_l("Sent by email to every member. Required when declining: give the reason."),
    )

    def validate_note(self, field) -> None:
        if self.step.data == MgiStep.DECLINED and not field.data:
            raise ValidationError(
                _l("Give the reason for declining: the organisation receives it.")
            )


class FilterForm(BaseFilterForm):
    """The pipeline's filters: a GET form; an unknown value is ignored."""

    step = SelectField(_l("Step"))
    region = SelectField(_l("Region"))

    def set_choices(self, steps, regions) -> None:
        everything = [("", _l("All"))]
        self.step.choices = choices(everything + list(steps.items()))
        self.region.choices = choices(everything + list(regions.items()))
