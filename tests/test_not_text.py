"""Every form of the accounts pages, sent values that are not text (an uploaded file, JSON
numbers, booleans, objects): never a 500, nothing stored."""

import io

import pytest

from cta_learning.accounts.models import Organisation, User
from tests.conftest import PASSWORD, fetch
from tests.hostile import ACCOUNT, CHANGE_EMAIL, INVITE, ORGANISATION, SIGNUP, nothing_changes

# --- values that are not text: an uploaded file, or JSON numbers, booleans and objects ----


def sign_in_as(role: str, auth, make) -> dict:
    """Sign in as a visitor, a member without organisation, an owner or an admin."""
    if role == "member":
        return {"user": auth.login_as(name="Awa Diop").id}
    if role == "owner":
        owner, organisation = make.member()
        auth.login(owner.email)
        return {"user": owner.id, "organisation": organisation.id}
    if role == "admin":
        _, organisation = make.member()
        return {"user": auth.login_as("admin").id, "organisation": organisation.id}
    return {}


TEXT_FIELDS = [
    pytest.param("/signup", "visitor", SIGNUP, "name", id="signup-name"),
    pytest.param("/signup", "visitor", SIGNUP, "email", id="signup-email"),
    pytest.param("/signup", "visitor", SIGNUP, "password", id="signup-password"),
    pytest.param(
        "/login",
        "visitor",
        {"email": "known@dakar.example.org", "password": PASSWORD},
        "email",
        id="login-email",
    ),
    pytest.param(
        "/password/forgot",
        "visitor",
        {"email": "known@dakar.example.org"},
        "email",
        id="forgot-email",
    ),
    pytest.param("/account", "member", {**ACCOUNT, "timezone": "UTC"}, "name", id="account-name"),
    pytest.param("/account/email", "member", CHANGE_EMAIL, "email", id="change-email"),
    pytest.param(
        "/account/delete",
        "member",
        {"current_password": PASSWORD, "confirm": "y"},
        "current_password",
        id="delete-password",
    ),
    pytest.param("/organisation/new", "member", ORGANISATION, "name", id="organisation-name"),
    pytest.param("/organisation/edit", "owner", ORGANISATION, "name", id="edit-name"),
    pytest.param("/organisation/members", "owner", INVITE, "email", id="invite-email"),
    pytest.param(
        "/admin/organisations/{organisation}",
        "admin",
        {"email": "awa@dakar.example.org"},
        "email",
        id="hand-over-email",
    ),
]
NOT_TEXT = [
    pytest.param("file", id="uploaded-file"),
    pytest.param(12345678901, id="json-number"),
    pytest.param(True, id="json-true"),
    pytest.param({"text": "Awa"}, id="json-object"),
]
# Forms that edit an existing row keep a field left out: there, only that field is watched.
EDIT_FORMS = {"/account": (User, "user"), "/organisation/edit": (Organisation, "organisation")}


def post_not_text(client, url: str, base: dict, field: str, payload):
    """The form with `field` sent as an uploaded file, or the whole form as a JSON body."""
    if payload == "file":
        return client.post(url, data={**base, field: (io.BytesIO(b"GIF89a"), "picture.gif")})
    return client.post(url, json={**base, field: payload})


def watched_name(app, path: str, ids: dict) -> str | None:
    if path not in EDIT_FORMS:
        return None
    model, key = EDIT_FORMS[path]
    return fetch(app, model, id=ids[key]).name


@pytest.mark.parametrize("payload", NOT_TEXT)
@pytest.mark.parametrize(("path", "role", "base", "field"), TEXT_FIELDS)
def test_forms_refuse_values_that_are_not_text(
    app, client, auth, make, path, role, base, field, payload
):
    make.user(email="known@dakar.example.org")
    ids = sign_in_as(role, auth, make)
    name_before = watched_name(app, path, ids)
    if path in EDIT_FORMS:
        response = post_not_text(client, path.format(**ids), base, field, payload)
        assert response.status_code in (200, 302, 400)
        assert watched_name(app, path, ids) == name_before
    else:
        with nothing_changes(app):
            response = post_not_text(client, path.format(**ids), base, field, payload)
        assert response.status_code in (200, 400)


@pytest.mark.parametrize("payload", NOT_TEXT)
@pytest.mark.parametrize("field", ["population", "declaration_signed_on", "endorsed_on"])
def test_optional_profile_fields_never_store_values_that_are_not_text(
    app, client, auth, field, payload
):
    auth.login_as()
    base = {**ORGANISATION, "kind": "partner"} if field == "endorsed_on" else ORGANISATION
    response = post_not_text(client, "/organisation/new", base, field, payload)
    assert response.status_code in (200, 302, 400)
    organisation = fetch(app, Organisation)
    assert organisation is None or getattr(organisation, field) is None
