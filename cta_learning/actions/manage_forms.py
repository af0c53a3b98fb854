"""The secretariat's forms for moderating actions: reasons, translations and corrections."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from cta_learning.actions import fields, labels
from cta_learning.actions.forms import AboutForm, PeopleForm, ResourcesForm, TimelineForm
from cta_learning.forms import BaseForm, choices, strip_filter

REASON_MAX = 2000
DESCRIPTION_MAX = 10_000  # as in the drafting form


def _at_most(limit: int) -> Length:
    return Length(max=limit, message=_l("At most %(max)d characters.", max=limit))


class ReasonForm(BaseForm):
    """Returning or rejecting an action, or declining a correction: a reason is required."""

    reason = TextAreaField(
        _l("Reason"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Give the reason: the organisation receives it by email.")),
            _at_most(REASON_MAX),
        ],
    )


class TranslationForm(BaseForm):
    language = SelectField(_l("Language"), validators=[InputRequired(_l("Choose a language."))])
    title = StringField(
        _l("Title"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Enter the title.")), _at_most(200)],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Enter the description.")), _at_most(DESCRIPTION_MAX)],
        description=_l("Markdown: paragraphs, lists, emphasis and links."),
    )

    def set_languages(self, action_language: str) -> None:
        """Only the platform's languages other than the action's own."""
        self.language.choices = choices(
            [
                (code, label)
                for code, label in labels.LANGUAGE_LABELS.items()
                if code != action_language
            ]
        )


class CorrectionForm(AboutForm, TimelineForm, PeopleForm, ResourcesForm):
    """The drafting steps' fields in one form; what a submitted action needs is required."""

    language = None  # the language of an action is not corrected
    many_priorities_confirmed = None  # the secretariat decides on the number of priorities

    def validate_title(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Enter the title."))

    def validate_description(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Enter the description."))

    def validate_start_on(self, field) -> None:
        if field.data is None:
            raise ValidationError(_l("Enter the start date."))
        super().validate_start_on(field)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here: the end date's Optional() stops its own validators when it is empty.
        if not self.is_ongoing.data and self.end_on.data is None and not self.end_on.errors:
            self.end_on.errors = [_l("Enter the end date, or tick “ongoing”.")]
            return False
        return valid

    def validate_target_groups(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one target group."))

    def validate_priorities(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one priority area."))

    def fields_data(self) -> dict:
        """The values to hand to apply_correction."""
        data = {name: self[name].data for name in fields.CORRECTED}
        data["links"] = "\n".join(
            line.strip() for line in (data["links"] or "").splitlines() if line.strip()
        )
        data["currency"] = data["currency"] or None
        return data

    @classmethod
    def for_action(cls, action, language: str) -> "CorrectionForm":
        """Pre-filled with the action's values on a GET; the posted values on a POST."""
        data = fields.values(action, fields.CORRECTED)
        form = cls(data=data | {"currency": action.currency or ""})  # "" selects "no currency"
        form.set_priority_choices(language)
        form.set_currency_choices(language)
        return form
