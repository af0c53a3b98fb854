"""One rule for email addresses, in every form that takes one (cta_learning/forms.py)."""

import importlib
import pkgutil

import pytest
from email_validator import EmailNotValidError
from flask_wtf import FlaskForm
from wtforms import EmailField

import cta_learning
from cta_learning.accounts.models import User
from cta_learning.community.mailing.models import Subscriber
from cta_learning.forms import NonAsciiLocalPart, _check_email, normalise_email
from tests.conftest import count, fetch, outbox

NOT_ASCII = "Use an address whose part before the @ has only unaccented letters"


def test_normalise_email():
    assert normalise_email(" Awa@Dakar.Example.org ") == "awa@dakar.example.org"
    assert normalise_email("ana@bücher.example") == "ana@xn--bcher-kva.example"
    with pytest.raises(NonAsciiLocalPart):
        normalise_email("andré@example.org")
    for bad in ("andre", "andre@", "@example.org", "a b@example.org", "andre@example"):
        with pytest.raises(EmailNotValidError):
            normalise_email(bad)


def _all_forms() -> list[type]:
    for module in pkgutil.walk_packages(cta_learning.__path__, "cta_learning."):
        if module.name.rsplit(".", 1)[-1] in ("forms", "manage_forms"):
            importlib.import_module(module.name)
    found, waiting = [], [FlaskForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            found.append(subclass)
            waiting.append(subclass)
    return found


def test_every_email_field_of_every_form_applies_the_one_rule():
    email_fields = {}
    for form in _all_forms():
        for name in dir(form):
            unbound = getattr(form, name, None)
            if getattr(unbound, "field_class", None) is EmailField or name.endswith("email"):
                email_fields[f"{form.__name__}.{name}"] = unbound
    assert len(email_fields) >= 8, sorted(email_fields)
    for where, unbound in email_fields.items():
        assert _check_email in unbound.kwargs.get("validators", ()), where


@pytest.mark.parametrize(
    ("form_path", "field"),
    [
        ("cta_learning.accounts.forms:SignupForm", "email"),
        ("cta_learning.accounts.forms:LoginForm", "email"),
        ("cta_learning.accounts.forms:EmailOnlyForm", "email"),
        ("cta_learning.accounts.forms:ChangeEmailForm", "email"),
        ("cta_learning.accounts.forms:InviteForm", "email"),
        ("cta_learning.accounts.forms:TransferForm", "email"),
        ("cta_learning.community.mailing.forms:SubscribeForm", "email"),
        ("cta_learning.community.mgi.forms:InterestForm", "focal_email"),
    ],
)
def test_each_form_refuses_a_non_ascii_local_part_and_normalises_a_domain(app, form_path, field):
    module, name = form_path.split(":")
    form_class = getattr(importlib.import_module(module), name)
    with app.test_request_context(method="POST", data={field: "andré@example.org"}):
        form = form_class()
        form[field].validate(form)
        assert any(NOT_ASCII in str(error) for error in form[field].errors)
    with app.test_request_context(method="POST", data={field: "Ana@Bücher.example"}):
        form = form_class()
        form[field].validate(form)
        assert not form[field].errors
        assert form[field].data == "ana@xn--bcher-kva.example"


def test_signup_refuses_a_non_ascii_address_with_a_clear_message(app, client):
    data = {
        "name": "André",
        "email": "andré@example.org",
        "password": "a long password",
        "confirm": "a long password",
        "locale": "fr",
        "timezone": "Africa/Dakar",
    }
    response = client.post("/signup", data=data)
    assert response.status_code == 200
    assert NOT_ASCII in response.get_data(as_text=True)
    assert count(app, User) == 0 and outbox(app) == []
    client.post("/signup", data={**data, "email": "ana@bücher.example"})
    assert fetch(app, User, email="ana@xn--bcher-kva.example") is not None


def test_the_mailing_list_refuses_a_non_ascii_address(app, client):
    data = {"email": "andré@example.org", "language": "fr", "topics": ["events"]}
    response = client.post("/mailing/", data=data)
    assert response.status_code == 200
    assert NOT_ASCII in response.get_data(as_text=True)
    assert count(app, Subscriber) == 0 and outbox(app) == []
