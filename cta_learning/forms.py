"""The base of every form: single-line fields refuse line breaks and control characters."""

import re

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    Field,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


def _check_text(form: FlaskForm, field: Field) -> None:
    value = field.data
    if not isinstance(value, str):
        return
    if _CONTROL.search(value):
        raise ValidationError(_l("This field contains characters that are not allowed."))
    if not isinstance(field, TextAreaField) and _LINE_BREAK.search(value):
        raise ValidationError(_l("This field must fit on one line."))


class FilterForm(FlaskForm):
    """A list's filters: a GET form (no CSRF token), so it works without JavaScript; an unknown
    value is ignored rather than refused."""

    class Meta:
        csrf = False

    not_filters: tuple[str, ...] = ()  # fields that choose something else than a filter

    @classmethod
    def argument_names(cls) -> tuple[str, ...]:
        """The query arguments the form reads: its fields' names."""
        return tuple(name for name in dir(cls) if isinstance(getattr(cls, name), UnboundField))

    def chosen(self) -> dict[str, str]:
        """The valid, non-empty filters."""
        self.validate()
        return {
            name: field.data
            for name, field in self._fields.items()
            if field.data and not field.errors and name not in self.not_filters
        }


class BaseForm(FlaskForm):
    """Every form of the platform derives from this one."""

    def __init__(self, *args, **kwargs):
        # Only text from an HTML form: never uploaded files or a JSON body, which would put
        # files, numbers or objects where every field and validator expects text.
        if not args and "formdata" not in kwargs and request.method in SUBMIT_METHODS:
            kwargs["formdata"] = request.form
        super().__init__(*args, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        extra = dict(extra_validators or {})
        for name, field in self._fields.items():
            if isinstance(field, StringField):
                extra.setdefault(name, []).append(_check_text)
        return super().validate(extra_validators=extra)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def strip_filter(value):
    """Trim surrounding spaces of text input (keeps None as None)."""
    return value.strip() if isinstance(value, str) else value


def choices(options) -> list[SelectChoice]:
    """Select options from a {value: label} mapping or (value, label) pairs."""
    pairs = options.items() if isinstance(options, dict) else options
    return [SelectChoice(value, label) for value, label in pairs]


def text_field(label, max_length: int, required: bool = False, area: bool = False, **kwargs):
    """A trimmed text field (a text area with `area`), required or optional, of bounded length."""
    field = TextAreaField if area else StringField
    first = DataRequired(_l("This field is required.")) if required else Optional()
    return field(
        label,
        filters=[strip_filter],
        validators=[
            first,
            Length(max=max_length, message=_l("At most %(max)d characters.", max=max_length)),
        ],
        **kwargs,
    )


class NonAsciiLocalPart(ValueError):
    """The part before the @ has characters outside ASCII, which most mail servers refuse."""


def normalise_email(address: str) -> str:
    """The one rule for every address the platform takes: ASCII before the @ (no server has to
    speak SMTPUTF8), an internationalised domain kept in its IDNA ASCII form, lower case.

    Raises NonAsciiLocalPart or email_validator.EmailNotValidError."""
    local_part = address.strip().rpartition("@")[0]
    if not local_part.isascii():
        raise NonAsciiLocalPart(address)
    result = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False)
    if result.ascii_email is None:  # only for SMTPUTF8 addresses, which are refused above
        raise NonAsciiLocalPart(address)
    return result.ascii_email.lower()


def _check_email(form: FlaskForm, field: Field) -> None:
    try:
        field.data = normalise_email(field.data or "")
    except NonAsciiLocalPart:
        raise ValidationError(
            _l(
                "Use an address whose part before the @ has only unaccented letters, digits "
                "and . _ - + (for example andre@city.org rather than andré@city.org)."
            )
        ) from None
    except EmailNotValidError:
        raise ValidationError(_l("Enter a valid email address, like name@city.org.")) from None


def email_field(label=_l("Email"), required=_l("Enter your email address.")) -> EmailField:
    """The email field of every form: trimmed, checked and normalised by `normalise_email`."""
    return EmailField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired(required),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
            _check_email,
        ],
    )
