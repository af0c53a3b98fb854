# ruff: noqa: S106 - the passwords here are test payloads
"""Hostile input to sign-up, log-in, confirmation and password reset: never a 500, a clear
refusal, nothing stored (see tests/hostile.py)."""

import pytest

from cta_learning.accounts.models import User
from tests.conftest import PASSWORD, count, fetch, outbox
from tests.hostile import (
    LONG,
    MISSING,
    NOT_ALLOWED,
    ONE_LINE,
    REQUIRED,
    RESET,
    SIGNUP,
    TIMEZONE_CASES,
    assert_form_refused,
    case,
    email_cases,
    form,
    link_in,
    name_cases,
    new_password_cases,
    nothing_changes,
    select_cases,
    tampered,
)

# --- sign-up, log in, confirmation, password reset ----------------------------------------

SIGNUP_CASES = [
    *name_cases("name", 120),
    case("name-missing", REQUIRED, name=MISSING),
    *email_cases("email"),
    *new_password_cases(),
    case(
        "password-is-the-email",
        "Your password must not be your email address.",
        password="awa@dakar.example.org",
        confirm="awa@dakar.example.org",
    ),
    *select_cases("locale", "en"),
    *TIMEZONE_CASES,
]


def test_signup_accepts_the_valid_form_used_below(app, client):
    assert client.post("/signup", data=SIGNUP).status_code == 303
    assert count(app, User, email="awa@dakar.example.org") == 1


@pytest.mark.parametrize(("fields", "message"), SIGNUP_CASES)
def test_signup_refuses_hostile_input(app, client, fields, message):
    with nothing_changes(app):
        response = client.post("/signup", data=form(SIGNUP, fields))
    assert_form_refused(response, message)


def test_signup_accepts_the_longest_valid_email_address(app, client):
    """254 characters: the limit of the form must fit the database columns."""
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"
    assert len(email) == 254
    response = client.post("/signup", data={**SIGNUP, "email": email, "name": "N" * 120})
    assert response.status_code == 303
    assert fetch(app, User, email=email).name == "N" * 120
    assert [message.to_address for message in outbox(app)] == [email]


LOGIN_CASES = [
    *email_cases("email"),
    case("password-overlong", "Field cannot be longer than 128 characters.", password=LONG),
    case("password-empty", "Enter your password.", password=""),
    case("password-missing", "Enter your password.", password=MISSING),
    case("password-nul-byte", NOT_ALLOWED, password=PASSWORD + "\x00"),
    case("password-line-break", ONE_LINE, password=PASSWORD + "\r\n"),
]


@pytest.mark.parametrize(("fields", "message"), LOGIN_CASES)
def test_login_refuses_hostile_input(app, client, make, fields, message):
    make.user(email="awa@dakar.example.org")
    with nothing_changes(app):
        response = client.post(
            "/login", data=form({"email": "awa@dakar.example.org", "password": PASSWORD}, fields)
        )
    assert_form_refused(response, message)
    assert client.get("/dashboard").status_code == 302  # not logged in


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "/\\evil.example.com",
        "/\t/evil.example.com",
        "/account\r\nSet-Cookie: stolen=1",
        LONG,
    ],
)
def test_login_never_redirects_off_site_or_injects_headers(client, make, target):
    user = make.user()
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert "Set-Cookie: stolen" not in str(response.headers)


@pytest.mark.parametrize("path", ["/confirm", "/password/forgot"])
@pytest.mark.parametrize(("fields", "message"), email_cases("email"))
def test_email_only_forms_refuse_hostile_input_and_send_nothing(
    app, client, make, path, fields, message
):
    make.user(email="awa@dakar.example.org", confirmed=path == "/password/forgot")
    with nothing_changes(app):
        response = client.post(path, data=form({"email": "awa@dakar.example.org"}, fields))
    assert_form_refused(response, message)


@pytest.fixture
def reset_link(app, client, make):
    user = make.user(email="awa@dakar.example.org")
    client.post("/password/forgot", data={"email": user.email})
    return link_in(outbox(app, to=user.email)[-1], "/password/reset/")


def test_reset_accepts_the_valid_form_used_below(app, client, reset_link):
    assert client.post(reset_link, data=RESET).headers["Location"] == "/login"


@pytest.mark.parametrize(("fields", "message"), new_password_cases())
def test_reset_password_refuses_hostile_input(app, client, reset_link, fields, message):
    with nothing_changes(app):
        response = client.post(reset_link, data=form(RESET, fields))
    assert_form_refused(response, message)


@pytest.mark.parametrize(
    ("mangle", "status"),
    [
        pytest.param(tampered, 302, id="tampered-signature"),
        pytest.param(lambda token: token + "x", 302, id="extra-character"),
        pytest.param(lambda token: token.split(".")[0], 302, id="payload-only"),
        pytest.param(lambda token: "x" * 5_000, 302, id="overlong"),
        pytest.param(lambda token: "..%2F..%2Fetc%2Fpasswd", 404, id="path-traversal"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_tampered_reset_links_are_refused(app, client, reset_link, mangle, status, method):
    token = reset_link.rsplit("/", 1)[1]
    with nothing_changes(app):
        response = client.open(f"/password/reset/{mangle(token)}", method=method, data=RESET)
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"] == "/password/forgot"


def test_nul_byte_in_a_reset_link_is_a_400(app, client, reset_link):
    with nothing_changes(app):
        assert client.post(reset_link + "%00", data=RESET).status_code == 400


def test_a_confirmation_token_does_not_open_the_password_reset(app, client, make):
    user = make.user(email="awa@dakar.example.org", confirmed=False)
    client.post("/confirm", data={"email": user.email})
    token = link_in(outbox(app, to=user.email)[-1], "/confirm/").rsplit("/", 1)[1]
    with nothing_changes(app):
        response = client.post(f"/password/reset/{token}", data=RESET)
    assert response.headers["Location"] == "/password/forgot"


@pytest.mark.parametrize(
    ("mangle", "status"),
    [
        pytest.param(tampered, 302, id="tampered-signature"),
        pytest.param(lambda token: "x" * 5_000, 302, id="overlong"),
        pytest.param(lambda token: "not.a.token", 302, id="garbage"),
        pytest.param(lambda token: token + "%00", 400, id="nul-byte"),
    ],
)
def test_tampered_confirmation_links_are_refused(app, client, make, mangle, status):
    user = make.user(email="awa@dakar.example.org", confirmed=False)
    client.post("/confirm", data={"email": user.email})
    token = link_in(outbox(app, to=user.email)[-1], "/confirm/").rsplit("/", 1)[1]
    with nothing_changes(app):
        response = client.get(f"/confirm/{mangle(token)}")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"] == "/confirm"
