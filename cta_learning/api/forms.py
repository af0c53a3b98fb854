"""The account page's forms for personal API tokens."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from cta_learning.api.tokens import SCOPE_LABELS
from cta_learning.forms import BaseForm, MultiCheckboxField, choices, text_field


class ApiTokenForm(BaseForm):
    """Its fields are prefixed ("token-name"): the account form on the same page has a name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "token")
        super().__init__(*args, **kwargs)

    name = text_field(
        _l("Token name"),
        80,
        required=True,
        description=_l("What it is for, so you recognise it later: “Reporting script”."),
    )
    scopes = MultiCheckboxField(
        _l("What the token may do"),
        choices=choices(SCOPE_LABELS),
        default=["read"],
        validators=[DataRequired(_l("Choose what the token may do."))],
    )


class RevokeApiTokenForm(BaseForm):
    """A button that only carries the CSRF token."""
