"""Forms of the mailing list: signing up, preferences, and the admins' campaigns."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from cta_learning import content, i18n, languages
from cta_learning.community.mailing.models import AUDIENCES, TOPICS
from cta_learning.forms import BaseForm, MultiCheckboxField, choices, email_field, strip_filter

LANGUAGES = languages.own_names(languages.PLATFORM)  # a campaign has a version in each


def _topics_field():
    return MultiCheckboxField(
        _l("Topics"),
        choices=choices(TOPICS),
        validators=[DataRequired(_l("Choose at least one topic."))],
    )


class SubscribeForm(BaseForm):
    email = email_field()
    name = StringField(
        _l("Your name"),
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=120, message=_l("At most %(max)d characters.", max=120)),
        ],
    )
    language = RadioField(_l("Language of the messages"), choices=choices(LANGUAGES), default="en")
    topics = _topics_field()


class PreferencesForm(BaseForm):
    language = RadioField(_l("Language of the messages"), choices=choices(LANGUAGES))
    topics = _topics_field()


class ButtonForm(BaseForm):
    """A button that only carries the CSRF token."""


def _subject(language: str):
    return StringField(
        _l("Subject (%(language)s)", language=LANGUAGES[language]),
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=200, message=_l("At most %(max)d characters.", max=200)),
        ],
    )


def _body(language: str):
    return TextAreaField(
        _l("Message (%(language)s, Markdown)", language=LANGUAGES[language]),
        filters=[strip_filter],
        validators=[Optional(), Length(max=50_000)],
    )


def _versions_form() -> type[BaseForm]:
    """A subject and a message in each language: subject_en, body_en, subject_fr…"""
    fields = {}
    for code in LANGUAGES:
        fields[f"subject_{code}"], fields[f"body_{code}"] = _subject(code), _body(code)
    return type("CampaignVersionsForm", (BaseForm,), fields)


class CampaignForm(_versions_form()):  # type: ignore[misc]  # its fields follow LANGUAGES
    language_names = LANGUAGES
    topics = _topics_field()
    audience = RadioField(_l("Audience"), choices=choices(AUDIENCES), default="subscribers")
    region = SelectField(_l("Region (members only)"), validators=[Optional()])
    priority_id = SelectField(_l("Priority area (members only)"), validators=[Optional()])

    def set_choices(self, language: str) -> None:
        everyone = [("", _l("All"))]
        self.region.choices = choices(everyone + list(i18n.REGION_NAMES.items()))
        self.priority_id.choices = choices(
            everyone
            + [(str(p.id), i18n.translated(p.title, language)[0]) for p in content.priorities()]
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Here rather than in validate_subject_en: Optional() stops the chain on an empty field.
        if not self.subject_en.data:
            self.subject_en.errors.append(
                _l("Write at least the English subject: it is the fallback.")
            )
            valid = False
        if not self.body_en.data:
            self.body_en.errors.append(
                _l("Write at least the English message: it is the fallback.")
            )
            valid = False
        for language in LANGUAGES.keys() - {"en"}:
            subject, body = self[f"subject_{language}"], self[f"body_{language}"]
            if bool(subject.data) != bool(body.data):
                (body if subject.data else subject).errors.append(
                    _l("Give both the subject and the message in this language, or neither.")
                )
                valid = False
        return valid

    def values(self) -> dict:
        languages = [code for code in LANGUAGES if self[f"subject_{code}"].data]
        return {
            "subjects": {code: self[f"subject_{code}"].data for code in languages},
            "bodies": {code: self[f"body_{code}"].data for code in languages},
            "topics": self.topics.data,
            "audience": self.audience.data,
            "region": self.region.data or None if self.audience.data == "members" else None,
            "priority_id": int(self.priority_id.data)
            if self.priority_id.data and self.audience.data == "members"
            else None,
        }

    def fill(self, campaign) -> None:
        for code in LANGUAGES:
            self[f"subject_{code}"].data = campaign.subjects.get(code, "")
            self[f"body_{code}"].data = campaign.bodies.get(code, "")
        self.topics.data = campaign.topics
        self.audience.data = campaign.audience
        self.region.data = campaign.region or ""
        self.priority_id.data = str(campaign.priority_id or "")


class ScheduleForm(BaseForm):
    when = RadioField(
        _l("When"),
        choices=choices([("now", _l("Send now")), ("later", _l("At a date and time"))]),
        default="now",
    )
    date = DateField(_l("Date"), validators=[Optional()])
    time = TimeField(_l("Time (in your time zone)"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Not in validate_time: Optional() stops the chain on an empty field.
        if valid and self.when.data == "later" and not (self.date.data and self.time.data):
            self.time.errors.append(_l("Give the date and the time."))
            valid = False
        return valid
