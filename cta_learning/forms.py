"""The base of every form: single-line fields refuse line breaks and control characters."""

import re

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

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
