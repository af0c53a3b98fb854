"""The personal API's schemas: what a person may read about themselves (explicit fields)."""

from marshmallow import Schema, fields, validate

from cta_learning.api.v1.framework import PageQuery, QuerySchema
from cta_learning.api.v1.schemas import ONE_OF, LocalTextSchema
from cta_learning.community.events.models import INTERPRETATION_LANGUAGES
from cta_learning.languages import PLATFORM

UTC = {"description": "UTC"}


def _text() -> fields.Nested:
    return fields.Nested(LocalTextSchema, required=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True, metadata={"description": ", ".join(PLATFORM)})
    time_zone = fields.String(required=True, metadata={"example": "America/Bogota"})
    role = fields.String(required=True, metadata={"description": "member, organiser or admin"})


class BenefitSchema(Schema):
    benefit = fields.String(required=True, metadata={"example": "mooc"})
    label = fields.String(required=True)
    open = fields.Boolean(required=True)
    since = fields.DateTime(required=True, allow_none=True, metadata=UTC)


class GrantActionSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    url = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Its public page, once published."},
    )


class GrantSchema(Schema):
    granted_at = fields.DateTime(required=True, metadata=UTC)
    manual = fields.Boolean(
        required=True, metadata={"description": "Opened by the secretariat, not by an action."}
    )
    action = fields.Nested(GrantActionSchema, required=True, allow_none=True)


class MyOrganisationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "lrg or partner"})
    country = fields.String(required=True, metadata={"example": "SN"})
    region = fields.String(required=True)
    preferred_language = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "Your role: owner or member."})
    joined_at = fields.DateTime(required=True, metadata=UTC)
    unlocked_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "Since when the benefits are open (UTC); null while closed."},
    )
    benefits = fields.List(fields.Nested(BenefitSchema), required=True)
    grants = fields.List(
        fields.Nested(GrantSchema),
        required=True,
        metadata={"description": "What keeps the benefits open: the submitted actions."},
    )


class CourseRefSchema(Schema):
    slug = fields.String(required=True)
    title = _text()
    url = fields.String(required=True)


class ProgressSchema(Schema):
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)
    percent = fields.Integer(required=True)


class MyCertificateSchema(Schema):
    code = fields.String(required=True, metadata={"example": "ABCD-EFGH-JKLM"})
    issued_at = fields.DateTime(required=True, metadata=UTC)
    check_url = fields.String(required=True, metadata={"description": "Its public check page."})


class EnrolmentSchema(Schema):
    course = fields.Nested(CourseRefSchema, required=True)
    enrolled_at = fields.DateTime(required=True, metadata=UTC)
    last_seen_at = fields.DateTime(required=True, allow_none=True, metadata=UTC)
    completed_at = fields.DateTime(required=True, allow_none=True, metadata=UTC)
    progress = fields.Nested(ProgressSchema, required=True)
    certificate = fields.Nested(MyCertificateSchema, required=True, allow_none=True)


class EnrolmentListSchema(Schema):
    items = fields.List(fields.Nested(EnrolmentSchema), required=True)


class EventRefSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    status = fields.String(required=True)
    title = _text()
    starts_at = fields.DateTime(required=True, metadata=UTC)
    ends_at = fields.DateTime(required=True, metadata=UTC)
    timezone = fields.String(required=True, metadata={"description": "The organiser's."})


class RegistrationSchema(Schema):
    event = fields.Nested(EventRefSchema, required=True)
    status = fields.String(
        required=True,
        metadata={"description": "pending, confirmed, waiting, declined or cancelled"},
    )
    waiting_position = fields.Integer(
        required=True, allow_none=True, metadata={"description": "1 for the first waiting."}
    )
    language = fields.String(
        required=True, allow_none=True, metadata={"description": "Interpretation asked for."}
    )
    registered_at = fields.DateTime(required=True, metadata=UTC)
    confirmed_at = fields.DateTime(required=True, allow_none=True, metadata=UTC)
    cancelled_at = fields.DateTime(required=True, allow_none=True, metadata=UTC)
    attended = fields.Boolean(required=True, allow_none=True)


class RegistrationChangeSchema(RegistrationSchema):
    message = fields.String(required=True, metadata={"description": "What the page would say."})


class RegistrationQuery(PageQuery):
    when = fields.String(
        load_default="all",
        validate=validate.OneOf(["all", "upcoming", "past"], error=ONE_OF),
        metadata={"description": "Every registration, or those of upcoming or past events."},
    )


class RegisterQuery(QuerySchema):
    language = fields.String(
        validate=validate.OneOf(list(INTERPRETATION_LANGUAGES), error=ONE_OF),
        metadata={"description": "The interpretation you need, one of the event's languages."},
    )
