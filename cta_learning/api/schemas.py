"""The JSON body of the action-submitted webhook: explicit fields, unknown ones refused."""

import re
from datetime import UTC, date
from decimal import Decimal

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from cta_learning.accounts.models import ORGANISATION_KINDS
from cta_learning.actions.classification import TARGET_GROUPS
from cta_learning.actions.models import PARTNER_KINDS
from cta_learning.content import LANGUAGES, priority_ids
from cta_learning.i18n import country_regions

EARLIEST_START = date(2019, 1, 1)  # the Call was launched in 2019
MAX_LINKS = 10
MAX_BUDGET = Decimal("99999999999999.99")  # the column is NUMERIC(16, 2)
MAX_INT = 2**31 - 1  # an INTEGER column on PostgreSQL

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


class Text(fields.String):
    """Trimmed text without control characters; `one_line` also refuses line breaks."""

    def __init__(self, *, one_line: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.one_line = one_line

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if _CONTROL.search(text):
            raise ValidationError("Contains characters that are not allowed.")
        if self.one_line and _LINE_BREAK.search(text):
            raise ValidationError("Must fit on one line.")
        return text


class StrictBoolean(fields.Boolean):
    """Only JSON true or false (marshmallow's Boolean also takes 1, "yes", "on"...)."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _known_country(code: str) -> None:
    if code not in country_regions():
        raise ValidationError("Unknown country code (ISO 3166-1 alpha-2 expected).")


def _known_priority(priority_id: int) -> None:
    if priority_id not in priority_ids():
        raise ValidationError(f"Unknown priority {priority_id}.")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class OrganisationSchema(StrictSchema):
    external_id = Text(required=True, validate=validate.Length(min=1, max=100))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(ORGANISATION_KINDS))
    country = fields.String(required=True, validate=_known_country)
    preferred_language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))


class ActionSchema(StrictSchema):
    external_id = Text(required=True, validate=validate.Length(min=1, max=100))
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(required=True, one_line=False, validate=validate.Length(min=1, max=10_000))
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    start_on = fields.Date(required=True, validate=validate.Range(min=EARLIEST_START))
    end_on = fields.Date(load_default=None, allow_none=True)
    is_ongoing = StrictBoolean(data_key="ongoing", load_default=False)
    target_groups = fields.List(
        fields.String(validate=validate.OneOf(TARGET_GROUPS)),
        required=True,
        validate=validate.Length(min=1),
    )
    priorities = fields.List(
        fields.Integer(strict=True, validate=_known_priority),
        required=True,
        validate=validate.Length(min=1),
    )
    partners = fields.List(fields.String(validate=validate.OneOf(PARTNER_KINDS)), load_default=list)
    results = Text(one_line=False, load_default="", validate=validate.Length(max=10_000))
    links = fields.List(
        fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2000)),
        load_default=list,
        validate=validate.Length(max=MAX_LINKS),
    )
    budget = fields.Decimal(
        places=2,
        allow_nan=False,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_BUDGET),
    )
    currency = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[A-Z]{3}\Z", error="Three capital letters (ISO 4217)."),
    )
    beneficiaries = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(min=0, max=MAX_INT)
    )

    @validates_schema
    def _check_timeline(self, data: dict, **kwargs) -> None:
        start_on, end_on = data.get("start_on"), data.get("end_on")
        if data.get("is_ongoing") and end_on is not None:
            raise ValidationError("Give an end date or ongoing, not both.", "end_on")
        if not data.get("is_ongoing") and end_on is None and start_on is not None:
            raise ValidationError("Required unless the action is ongoing.", "end_on")
        if start_on and end_on and end_on < start_on:
            raise ValidationError("Must not be before start_on.", "end_on")

    @post_load
    def _to_fields(self, data: dict, **kwargs) -> dict:
        """The names operations.apply_fields() expects."""
        data["partners"] = sorted(set(data["partners"]))
        data["links"] = "\n".join(data["links"])
        return data


class ActionSubmittedSchema(StrictSchema):
    """The body of POST /api/v1/hooks/action-submitted."""

    organisation = fields.Nested(OrganisationSchema, required=True)
    action = fields.Nested(ActionSchema, required=True)
    submitted_at = fields.AwareDateTime(required=True, default_timezone=UTC)

    @post_load
    def _utc(self, data: dict, **kwargs) -> dict:
        # Stored naive, in UTC, like every datetime column.
        data["submitted_at"] = data["submitted_at"].astimezone(UTC).replace(tzinfo=None)
        return data
