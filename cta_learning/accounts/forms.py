"""Forms for sign-up, sign-in, account settings and organisation profiles."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from cta_learning import i18n, languages, timezones
from cta_learning.forms import (
    BaseForm,
    MultiCheckboxField,
    choices,
    email_field,
    strip_filter,
)

PASSWORD_MIN, PASSWORD_MAX = 10, 128
DECLARATION_ADOPTED = date(2018, 12, 1)  # the Marrakech Mayors Declaration, December 2018
CALL_LAUNCHED = date(2022, 1, 1)  # the Call was launched at the IMRF in 2022

POLICY_PROCESSES = {
    "gcm-national": _l("National implementation or review of the Global Compact for Migration"),
    "gcm-regional": _l("Regional review of the Global Compact for Migration"),
    "gcr-national": _l("National arrangements or pledges for the Global Compact on Refugees"),
    "imrf": _l("International Migration Review Forum (IMRF)"),
    "grf": _l("Global Refugee Forum"),
    "gfmd": _l("Global Forum on Migration and Development (GFMD)"),
    "hlpf": _l("High-level Political Forum on the SDGs (HLPF), voluntary local reviews"),
}
ORGANISATION_KIND_LABELS = {
    "lrg": _l("Local or regional government"),
    "partner": _l("Partner organisation"),
}
MEMBERSHIP_ROLE_LABELS = {"owner": _l("Person in charge"), "member": _l("Member")}


def lower_filter(value):
    return value.strip().lower() if isinstance(value, str) else value


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters."),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("A password has between 10 and 128 characters."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
    )
    return password, confirm


def _current_password_field() -> PasswordField:
    return PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
    )


def _name_field(label=_l("Your name"), max_length=120) -> StringField:
    return StringField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired(_l("This field is required.")),
            Length(max=max_length, message=_l("At most %(max)d characters.", max=max_length)),
        ],
    )


class LanguageTimezoneMixin:
    locale = SelectField(_l("Language"), choices=languages.offered_choices, default="en")
    timezone = SelectField(_l("Time zone"), default="UTC")

    def set_timezone_choices(self) -> None:
        self.timezone.choices = timezones.grouped_timezone_choices()


class SignupForm(LanguageTimezoneMixin, BaseForm):
    name = _name_field()
    email = email_field()
    password, confirm = _new_password_fields()

    def validate_password(self, field) -> None:
        if self.email.data and field.data and field.data.strip().lower() == self.email.data:
            raise ValidationError(_l("Your password must not be your email address."))


class LoginForm(BaseForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)],
    )
    remember = BooleanField(_l("Remember me on this device"))


class EmailOnlyForm(BaseForm):
    email = email_field()


class ResetPasswordForm(BaseForm):
    password, confirm = _new_password_fields()


class AccountForm(LanguageTimezoneMixin, BaseForm):
    name = _name_field()


class ChangeEmailForm(BaseForm):
    email = email_field(_l("New email address"))
    current_password = _current_password_field()


class ChangePasswordForm(BaseForm):
    current_password = _current_password_field()
    password, confirm = _new_password_fields()


class DeleteAccountForm(BaseForm):
    current_password = _current_password_field()
    confirm = BooleanField(
        _l("I understand that my account and my personal data will be deleted."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


def _not_in_future(form, field) -> None:
    if field.data and field.data > date.today():
        raise ValidationError(_l("This date is in the future."))


class OrganisationForm(BaseForm):
    kind = RadioField(
        _l("Kind of organisation"),
        choices=choices(ORGANISATION_KIND_LABELS),
        validators=[InputRequired(_l("Choose the kind of organisation."))],
    )
    name = _name_field(_l("Name of the organisation"), max_length=200)
    country = SelectField(_l("Country"), validators=[InputRequired(_l("Choose a country."))])
    preferred_language = SelectField(
        _l("Preferred language"), choices=languages.offered_choices, default="en"
    )
    population = IntegerField(
        _l("Population (optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=1, max=100_000_000, message=_l("Enter a number between 1 and 100,000,000.")
            ),
        ],
    )
    declaration_signed_on = DateField(
        _l("Date the Marrakech Mayors Declaration was signed"),
        validators=[Optional(), _not_in_future],
        description=_l("Local and regional governments join the Call by signing the Declaration."),
    )
    declaration_signatory = StringField(
        _l("Who signed it (name and title)"),
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=200, message=_l("At most %(max)d characters.", max=200)),
        ],
    )
    endorsed_on = DateField(
        _l("Date the organisation endorsed the Call"),
        validators=[Optional(), _not_in_future],
        description=_l("Partner organisations join the Call by endorsing it."),
    )
    policy_processes = MultiCheckboxField(
        _l("National or regional policy processes the organisation took part in"),
        choices=choices(POLICY_PROCESSES),
    )
    policy_processes_other = TextAreaField(
        _l("Other processes (optional)"),
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=1000, message=_l("At most %(max)d characters.", max=1000)),
        ],
    )

    def set_country_choices(self) -> None:
        self.country.choices = choices([("", _l("Choose a country")), *i18n.country_choices()])

    def validate_declaration_signed_on(self, field) -> None:
        if field.data and field.data < DECLARATION_ADOPTED:
            raise ValidationError(
                _l("The Declaration was adopted in December 2018: enter a later date.")
            )

    def validate_endorsed_on(self, field) -> None:
        if field.data and field.data < CALL_LAUNCHED:
            raise ValidationError(_l("The Call was launched in 2022: enter a later date."))

    def validate_country(self, field) -> None:
        if field.data not in i18n.country_regions():
            raise ValidationError(_l("Choose a country."))


class InviteForm(BaseForm):
    email = email_field(_l("Email of the person to invite"))
    role = SelectField(_l("Role"), choices=choices(MEMBERSHIP_ROLE_LABELS), default="member")


class TransferForm(BaseForm):
    email = email_field(_l("Email of the new person in charge"))
    remove_previous = BooleanField(_l("Remove the previous people in charge from the profile"))


class GrantForm(BaseForm):
    reason = StringField(
        _l("Why (e.g. partner invited by the secretariat)"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Give the reason for this grant.")),
            Length(max=300, message=_l("At most %(max)d characters.", max=300)),
        ],
    )


def _code_field(label=_l("Code")) -> StringField:
    return StringField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Enter the code.")),
            Length(max=32, message=_l("At most %(max)d characters.", max=32)),
        ],
    )


class CodeForm(BaseForm):
    """The second step: the code of the authenticator app, or a recovery code."""

    code = _code_field()


class ReauthForm(BaseForm):
    """Confirm it is you: the password, or with two-step on, a code (the view picks the field)."""

    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=PASSWORD_MAX)])
    code = StringField(
        _l("Code"),
        filters=[strip_filter],
        validators=[Optional(), Length(max=32, message=_l("At most %(max)d characters.", max=32))],
    )
