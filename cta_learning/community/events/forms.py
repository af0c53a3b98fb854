"""Forms of the events module: the event, its agenda, materials, registrations and messages.

Times are entered as wall-clock date and time in the event's zone and checked here: a time
skipped by a clock change, an end before the start or an unknown zone is refused with a message.
"""

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from cta_learning import content, i18n, languages
from cta_learning.community.events.models import (
    AUDIENCES,
    FORMATS,
    INTERPRETATION_LANGUAGES,
    KINDS,
    PERSON_ROLES,
    SEGMENT_KINDS,
)
from cta_learning.community.events.texts import TEXT_LANGUAGES
from cta_learning.community.events.times import NonexistentTime, to_utc
from cta_learning.forms import BaseForm, MultiCheckboxField, choices, strip_filter, text_field


def _check_web_address(form, field) -> None:
    if field.data:
        parts = urlsplit(field.data)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(_l("Enter a full web address starting with https://."))


def _web_address(label):
    return StringField(
        label,
        filters=[strip_filter],
        validators=[Optional(), Length(max=500), _check_web_address],
    )


def _moment(form, day_field, time_field):
    """The UTC moment of two fields in the form's time zone, or None with an error set."""
    if day_field.data is None or time_field.data is None or not form.zone_is_valid():
        return None
    try:
        return to_utc(day_field.data, time_field.data, form.timezone.data)
    except NonexistentTime:
        time_field.errors.append(
            _l("This time does not exist in that time zone: the clocks change then.")
        )
        return None


def _date(label):
    return DateField(label, validators=[DataRequired(_l("Enter a date, for example 2027-01-22."))])


def _time(label):
    return TimeField(label, validators=[DataRequired(_l("Enter a time, for example 16:00."))])


class _TextsForm(BaseForm):
    """The texts of one language; part of a form that carries the CSRF token."""

    class Meta:
        csrf = False

    required: tuple[str, ...] = ("title",)

    def is_empty(self) -> bool:
        return not any((field.data or "").strip() for field in self)


class EventTextsForm(_TextsForm):
    required = ("title", "summary")

    title = text_field(_l("Title"), 200)
    summary = text_field(_l("Summary"), 500, area=True)
    description = text_field(_l("Description"), 20_000, area=True)
    objectives = text_field(_l("Objectives"), 10_000, area=True)
    expected_results = text_field(_l("Expected results"), 10_000, area=True)


class SegmentTextsForm(_TextsForm):
    title = text_field(_l("Title"), 200)
    guiding_question = text_field(_l("Guiding question"), 2_000, area=True)


def _in_each_language(texts_form: type[BaseForm]) -> type[BaseForm]:
    """A group of `texts_form` fields named after each language events are written in:
    form.en, form.fr… (labelled with the language's name in the reader's language)."""
    fields = {
        code: FormField(texts_form, label)
        for code, label in languages.labels(TEXT_LANGUAGES).items()
    }
    return type(f"{texts_form.__name__}ByLanguage", (BaseForm,), fields)


def _check_texts(form, original: str) -> bool:
    """The original language gives at least the required texts; another language gives them
    too, or nothing at all."""
    valid = True
    for code in TEXT_LANGUAGES:
        texts = form[code].form
        if code != original and texts.is_empty():
            continue
        for name in texts.required:
            if not texts[name].data:
                texts[name].errors.append(
                    _l("This field is required.")
                    if code == original
                    else _l("Fill this in too, or leave this language empty.")
                )
                valid = False
    return valid


def texts_by_language(form, original: str) -> dict[str, dict[str, str]]:
    """The texts given, by language (the original always; others left empty are left out)."""
    return {
        code: {field.short_name: field.data or "" for field in form[code].form}
        for code in TEXT_LANGUAGES
        if code == original or not form[code].form.is_empty()
    }


class _TimedForm(BaseForm):
    """A form with start and end dates and times in its `timezone` field's zone."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def times(self) -> tuple[datetime, datetime]:
        """The start and end in UTC, once the form has validated."""
        if self.starts_at is None or self.ends_at is None:
            raise ValueError("the times are read when the form validates")
        return self.starts_at, self.ends_at

    def zone_is_valid(self) -> bool:
        return i18n.is_valid_timezone(self.timezone.data)

    def _check_times(self) -> bool:
        """Read the start and end in UTC; False (with the errors set) when they cannot be."""
        self.starts_at = _moment(self, self.start_date, self.start_time)
        self.ends_at = _moment(self, self.end_date, self.end_time)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            self.end_time.errors.append(_l("The event must end after it starts."))
            return False
        return self.starts_at is not None and self.ends_at is not None


def _original_language():
    return SelectField(
        _l("Language the event is written in"),
        choices=choices(languages.own_names(TEXT_LANGUAGES)),
        description=_l(
            "Fill in this language. The others are optional: readers of a language left "
            "empty see this one, with a note."
        ),
    )


class EventForm(_TimedForm, _in_each_language(EventTextsForm)):  # type: ignore[misc]
    language = _original_language()
    kind = SelectField(_l("Kind of event"), choices=choices(KINDS))
    timezone = SelectField(_l("Time zone of the event"))
    start_date = _date(_l("Start date"))
    start_time = _time(_l("Start time"))
    end_date = _date(_l("End date"))
    end_time = _time(_l("End time"))
    format = RadioField(_l("Format"), choices=choices(FORMATS), default="online")
    online_url = _web_address(_l("Link to join online"))
    venue = text_field(_l("Venue"), 300)
    languages = MultiCheckboxField(
        _l("Interpretation languages"), choices=choices(INTERPRETATION_LANGUAGES)
    )
    priority_ids = MultiCheckboxField(_l("Priority areas"), coerce=int)
    audience = RadioField(_l("Who may register"), choices=choices(AUDIENCES), default="everyone")
    invited_ids = SelectMultipleField(_l("Invited organisations"), coerce=int)
    capacity = IntegerField(
        _l("Number of places"),
        validators=[Optional(), NumberRange(min=1, max=100_000, message=_l("At least one place."))],
        description=_l("Leave empty for no limit. Beyond it, people join a waiting list."),
    )
    deadline_date = DateField(_l("Registration closes on"), validators=[Optional()])
    deadline_time = TimeField(_l("at"), validators=[Optional()])
    requires_approval = BooleanField(_l("Registrations need the organisers' approval"))

    deadline = None

    def set_choices(self, language: str, organisations: list[tuple[int, str]]) -> None:
        self.timezone.choices = choices(i18n.timezone_choices())
        self.priority_ids.choices = [
            (priority.id, i18n.translated(priority.title, language)[0])
            for priority in content.priorities()
        ]
        self.invited_ids.choices = organisations

    def validate_timezone(self, field) -> None:
        if not self.zone_is_valid():
            raise ValidationError(_l("Choose a time zone from the list."))

    def validate_invited_ids(self, field) -> None:
        if self.audience.data == "invited" and not field.data:
            raise ValidationError(_l("Choose at least one organisation to invite."))

    def validate_priority_ids(self, field) -> None:
        if self.audience.data == "priority_areas" and not field.data:
            raise ValidationError(_l("Choose the priority areas this event is for."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        valid = _check_texts(self, self.language.data) and valid
        if self.format.data in ("in_person", "hybrid") and not self.venue.data:
            self.venue.errors.append(_l("Say where the event takes place."))
            valid = False
        valid = self._check_times() and valid
        if bool(self.deadline_date.data) != bool(self.deadline_time.data):
            self.deadline_time.errors.append(_l("Give both a date and a time, or neither."))
            valid = False
        elif self.deadline_date.data:
            self.deadline = _moment(self, self.deadline_date, self.deadline_time)
            if self.deadline and self.ends_at and self.deadline > self.ends_at:
                self.deadline_time.errors.append(
                    _l("Registration must close before the event ends.")
                )
                valid = False
        return valid and (not self.deadline_date.data or self.deadline is not None)


class PostponeForm(_TimedForm):
    timezone = SelectField(_l("Time zone of the event"))
    start_date = _date(_l("New start date"))
    start_time = _time(_l("New start time"))
    end_date = _date(_l("New end date"))
    end_time = _time(_l("New end time"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._check_times() and valid


class CancelEventForm(BaseForm):
    reason = text_field(_l("Message to registrants"), 2_000, required=True, area=True)


class PersonForm(BaseForm):
    class Meta:
        csrf = False  # part of the segment form, which carries the token

    role = SelectField(_l("Role"), choices=choices(PERSON_ROLES))
    name = text_field(_l("Name"), 120)
    job_title = text_field(_l("Title"), 200)
    organisation = text_field(_l("Organisation"), 200)
    country = SelectField(_l("Country"), validators=[Optional()])
    biography = text_field(
        _l("Short biography"),
        600,
        area=True,
        description=_l("Optional, plain text, at most 600 characters."),
    )

    def validate(self, extra_validators=None) -> bool:
        if not (self.name.data or "").strip():
            return True  # an empty row is skipped
        if not self.role.data:
            self.role.data = "speaker"
        return super().validate(extra_validators)


class SegmentForm(_in_each_language(SegmentTextsForm)):  # type: ignore[misc]
    """`language` is the event's: set by the page, not chosen here."""

    kind = SelectField(_l("Kind of segment"), choices=choices(SEGMENT_KINDS))
    day = SelectField(_l("Day"))
    start_time = TimeField(
        _l("Starts at"), validators=[DataRequired(_l("Enter a time, for example 16:00."))]
    )
    end_time = TimeField(
        _l("Ends at"), validators=[DataRequired(_l("Enter a time, for example 16:00."))]
    )
    people = FieldList(FormField(PersonForm), min_entries=4, max_entries=12)

    original = "en"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _check_texts(self, self.original) and valid


class MaterialsForm(BaseForm):
    recording_url = _web_address(_l("Recording"))
    materials_summary = text_field(_l("Summary of the discussions"), 20_000, area=True)
    documents = text_field(
        _l("Documents"),
        5_000,
        area=True,
        description=_l("One document per line: its title, a space, then its web address."),
    )
    links: list[dict] = []

    def validate_documents(self, field) -> None:
        self.links = []
        for line in (field.data or "").splitlines():
            title, _, url = line.strip().rpartition(" ")
            parts = urlsplit(url)
            if not line.strip():
                continue
            if not title.strip() or parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValidationError(
                    _l("Write each document as its title, a space, then its web address.")
                )
            self.links.append({"title": title.strip(), "url": url})


class RegisterForm(BaseForm):
    language = SelectField(_l("Interpretation language"), validators=[Optional()])


class MessageForm(BaseForm):
    subject = text_field(_l("Subject"), 200, required=True)
    body = text_field(_l("Message"), 10_000, required=True, area=True)


class ConfirmForm(BaseForm):
    """A button that only carries the CSRF token."""
