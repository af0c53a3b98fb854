"""The public API's schemas: query arguments (validated like the pages' filters, but a wrong
value is a 400 rather than ignored) and answers (explicit fields, no personal data)."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from cta_learning import content, i18n
from cta_learning.actions.classification import TARGET_GROUPS
from cta_learning.actions.labels import PLEDGE_TYPE_LABELS
from cta_learning.api.v1.framework import BETWEEN, PageQuery
from cta_learning.community.events.models import INTERPRETATION_LANGUAGES, KINDS

FIRST_YEAR = 2019  # the Call asks for actions started from 2019 onwards
ONE_OF = _l("Must be one of the listed values.")
COUNTRY = _l("Not a country code (ISO 3166-1 alpha-2, e.g. FR).")


def _one_of(values) -> validate.OneOf:
    return validate.OneOf(list(values), error=ONE_OF)


def _known_priority(value: int) -> None:
    if value not in content.priority_ids():
        raise ValidationError(_("No priority area has this number."))


def _known_country(value: str) -> None:
    if len(value) == 2 and value not in i18n.country_regions():  # else the length says so
        raise ValidationError(str(COUNTRY))


def _past_year(value: int) -> None:
    if value > date.today().year + 1:
        raise ValidationError(_("This year has not started yet."))


# --- Query arguments ---------------------------------------------------------------------


class ActionQuery(PageQuery):
    filters = ("priority", "region", "country", "pledge_type", "target_group", "year")

    priority = fields.Integer(
        validate=_known_priority, metadata={"description": "A priority area's id."}
    )
    region = fields.String(
        validate=_one_of(i18n.REGION_NAMES), metadata={"description": "A UN region."}
    )
    country = fields.String(
        validate=[validate.Length(equal=2, error=COUNTRY), _known_country],
        metadata={"description": "ISO 3166-1 alpha-2 code of the organisation's country."},
    )
    pledge_type = fields.String(validate=_one_of(PLEDGE_TYPE_LABELS))
    target_group = fields.String(validate=_one_of(TARGET_GROUPS))
    year = fields.Integer(
        validate=[
            validate.Range(FIRST_YEAR, 9999, error=BETWEEN),
            _past_year,
        ],
        metadata={"description": "The year the action started."},
    )


class EventQuery(PageQuery):
    when = fields.String(
        load_default="upcoming",
        validate=_one_of(("upcoming", "past")),
        metadata={"description": "Upcoming events (soonest first) or past ones (latest first)."},
    )
    kind = fields.String(validate=_one_of(KINDS))
    priority = fields.Integer(validate=_known_priority)
    language = fields.String(
        validate=_one_of(INTERPRETATION_LANGUAGES),
        metadata={"description": "A language the event is interpreted into."},
    )


# --- Answers -----------------------------------------------------------------------------


class LocalTextSchema(Schema):
    """A text in the language asked for, or (when not written in it) in the one it is in."""

    text = fields.String(required=True)
    language = fields.String(required=True, metadata={"description": "The text's language."})


def _text(**kwargs) -> fields.Nested:
    return fields.Nested(LocalTextSchema, required=True, **kwargs)


class PrioritySchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = _text()
    description = _text()
    example = _text()
    gcr_area = _text()
    gcm_objectives = fields.List(fields.Integer(), required=True)
    url = fields.String(required=True)


class PriorityListSchema(Schema):
    items = fields.List(fields.Nested(PrioritySchema), required=True)


class ActionOrganisationSchema(Schema):
    name = fields.String(required=True)
    country = fields.String(required=True)
    region = fields.String(required=True)


class PublicActionSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "The action's public page."})
    title = _text()
    organisation = fields.Nested(ActionOrganisationSchema, required=True)
    start_on = fields.Date(required=True, allow_none=True)
    end_on = fields.Date(required=True, allow_none=True)
    is_ongoing = fields.Boolean(required=True)
    pledge_type = fields.String(required=True, allow_none=True)
    target_groups = fields.List(fields.String(), required=True)
    priorities = fields.List(fields.Integer(), required=True)
    published_at = fields.DateTime(required=True, allow_none=True)


class PublicActionDetailSchema(PublicActionSchema):
    description = _text(metadata={"description": "Markdown."})
    results = _text(metadata={"description": "Markdown; evidence of results so far."})
    partners = fields.List(fields.String(), required=True)
    beneficiaries = fields.Integer(required=True, allow_none=True)
    links = fields.List(fields.String(), required=True)
    status = fields.String(
        required=True, allow_none=True, metadata={"description": "not_started, ongoing…"}
    )
    platforms = fields.List(fields.String(), required=True)


class LessonOutlineSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = _text()
    kind = fields.String(required=True, metadata={"description": "reading, video, podcast…"})
    minutes = fields.Integer(required=True)
    preview = fields.Boolean(required=True, metadata={"description": "Open to visitors."})


class ChapterOutlineSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = _text()
    summary = _text()
    minutes = fields.Integer(required=True)
    priorities = fields.List(fields.Integer(), required=True)
    lessons = fields.List(fields.Nested(LessonOutlineSchema), required=True)


class CourseSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    url = fields.String(required=True)
    title = _text()
    summary = _text()
    languages = fields.List(fields.String(), required=True)
    minutes = fields.Integer(required=True)
    pass_mark = fields.Integer(required=True)
    chapters = fields.List(fields.Nested(ChapterOutlineSchema), required=True)


class CourseListSchema(Schema):
    items = fields.List(fields.Nested(CourseSchema), required=True)


class EventSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "published or cancelled"})
    kind = fields.String(required=True)
    format = fields.String(required=True, metadata={"description": "online, in_person, hybrid"})
    venue = fields.String(required=True, allow_none=True)
    title = _text()
    summary = _text()
    starts_at = fields.DateTime(required=True, metadata={"description": "UTC"})
    ends_at = fields.DateTime(required=True, metadata={"description": "UTC"})
    timezone = fields.String(required=True, metadata={"description": "The organiser's."})
    interpretation = fields.List(fields.String(), required=True)
    audience = fields.String(required=True, metadata={"description": "Who may register."})
    priorities = fields.List(fields.Integer(), required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    places_left = fields.Integer(required=True, allow_none=True)
    registration_deadline = fields.DateTime(required=True, allow_none=True)
    series_id = fields.Integer(required=True, allow_none=True)


class SegmentPersonSchema(Schema):
    role = fields.String(required=True)
    name = fields.String(required=True)
    job_title = fields.String(required=True)
    organisation = fields.String(required=True)
    country = fields.String(required=True, allow_none=True)
    biography = _text()


class SegmentSchema(Schema):
    kind = fields.String(required=True)
    title = _text()
    guiding_question = _text()
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    people = fields.List(fields.Nested(SegmentPersonSchema), required=True)


class DocumentSchema(Schema):
    title = fields.String(required=True)
    url = fields.String(required=True)


class EventDetailSchema(EventSchema):
    description = _text(metadata={"description": "Markdown."})
    objectives = _text(metadata={"description": "Markdown."})
    expected_results = _text(metadata={"description": "Markdown."})
    cancel_reason = fields.String(required=True)
    agenda = fields.List(fields.Nested(SegmentSchema), required=True)
    sessions = fields.List(fields.Integer(), required=True, metadata={"description": "Ids."})
    recording_url = fields.String(required=True, allow_none=True)
    materials_summary = fields.String(required=True, metadata={"description": "Markdown."})
    documents = fields.List(fields.Nested(DocumentSchema), required=True)
