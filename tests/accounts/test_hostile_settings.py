# ruff: noqa: S106 - the passwords here are test payloads
"""Hostile input to a person's settings, email, password, deletion, language and session
cookies: never a 500, a clear refusal, nothing stored."""

import pytest

from cta_learning.accounts.models import User
from tests.conftest import PASSWORD, fetch, outbox
from tests.hostile import (
    ACCOUNT,
    CHANGE_EMAIL,
    LONG,
    MISSING,
    NOT_ALLOWED,
    NOT_YOUR_PASSWORD,
    RESET,
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

# --- account settings --------------------------------------------------------------------

ACCOUNT_CASES = [
    *name_cases("name", 120),
    *select_cases("locale", "en"),
    *TIMEZONE_CASES,
]


def test_account_settings_accept_the_valid_form_used_below(app, client, auth):
    user = auth.login_as()
    assert client.post("/account", data=ACCOUNT).headers["Location"] == "/account"
    assert fetch(app, User, id=user.id).timezone == "Africa/Dakar"


@pytest.mark.parametrize(("fields", "message"), ACCOUNT_CASES)
def test_account_settings_refuse_hostile_input(app, client, auth, fields, message):
    auth.login_as()
    with nothing_changes(app):
        response = client.post("/account", data=form(ACCOUNT, fields))
    assert_form_refused(response, message)


def test_account_settings_without_a_name_keep_the_name(app, client, auth):
    user = auth.login_as(name="Awa Diop")
    client.post("/account", data={"locale": "en", "timezone": "UTC"})
    assert fetch(app, User, id=user.id).name == "Awa Diop"


CHANGE_EMAIL_CASES = [
    *email_cases("email"),
    case("same-address", "This is already your email address.", email="me@dakar.example.org"),
    # The address of another account is not refused: see tests/accounts/test_takeover.py.
    case("wrong-password", NOT_YOUR_PASSWORD, current_password="not the password"),
    case("password-empty", "Enter your current password.", current_password=""),
    case("password-overlong", "Field cannot be longer than 128 characters.", current_password=LONG),
    case("password-nul-byte", NOT_ALLOWED, current_password=PASSWORD + "\x00"),
]


def test_change_email_accepts_the_valid_form_used_below(app, client, auth):
    auth.login_as(email="me@dakar.example.org")
    assert client.post("/account/email", data=CHANGE_EMAIL).status_code == 302
    assert outbox(app)[0].to_address == "new@dakar.example.org"


@pytest.mark.parametrize(("fields", "message"), CHANGE_EMAIL_CASES)
def test_change_email_refuses_hostile_input(app, client, auth, make, fields, message):
    make.user(email="taken@dakar.example.org")
    auth.login_as(email="me@dakar.example.org")
    with nothing_changes(app):
        response = client.post("/account/email", data=form(CHANGE_EMAIL, fields))
    assert_form_refused(response, message)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(tampered, id="tampered-signature"),
        pytest.param(lambda token: token + "x", id="extra-character"),
        pytest.param(lambda token: "x" * 5_000, id="overlong"),
    ],
)
def test_tampered_email_change_links_change_nothing(app, client, auth, mangle):
    auth.login_as(email="me@dakar.example.org")
    client.post("/account/email", data=CHANGE_EMAIL)
    link = link_in(outbox(app, to="new@dakar.example.org")[-1], "/account/email/confirm/")
    token = link.rsplit("/", 1)[1]
    with nothing_changes(app):
        response = client.get(f"/account/email/confirm/{mangle(token)}")
        assert response.headers["Location"] == "/"
        assert (
            client.post(f"/password/reset/{token}", data=RESET).headers["Location"]
            == "/password/forgot"
        )  # not a reset token either


CHANGE_PASSWORD = {"current_password": PASSWORD, **RESET}
CHANGE_PASSWORD_CASES = [
    *new_password_cases(),
    case("current-wrong", NOT_YOUR_PASSWORD, current_password="not the password"),
    case("current-missing", "Enter your current password.", current_password=MISSING),
    case("current-overlong", "Field cannot be longer than 128 characters.", current_password=LONG),
    case("current-nul-byte", NOT_ALLOWED, current_password=PASSWORD + "\x00"),
]


def test_change_password_accepts_the_valid_form_used_below(app, client, auth):
    auth.login_as()
    assert client.post("/account/password", data=CHANGE_PASSWORD).status_code == 302


@pytest.mark.parametrize(("fields", "message"), CHANGE_PASSWORD_CASES)
def test_change_password_refuses_hostile_input(app, client, auth, fields, message):
    auth.login_as()
    with nothing_changes(app):
        response = client.post("/account/password", data=form(CHANGE_PASSWORD, fields))
    assert_form_refused(response, message)
    assert client.get("/dashboard").status_code == 200  # still logged in


DELETE = {"current_password": PASSWORD, "confirm": "y"}
DELETE_CASES = [
    case("box-not-ticked", "Tick the box to confirm.", confirm=MISSING),
    case("box-empty", "Tick the box to confirm.", confirm=""),
    case("box-false", "Tick the box to confirm.", confirm="false"),
    case("wrong-password", NOT_YOUR_PASSWORD, current_password="not the password"),
    case("password-empty", "Enter your current password.", current_password=""),
    case("password-overlong", "Field cannot be longer than 128 characters.", current_password=LONG),
    case("password-nul-byte", NOT_ALLOWED, current_password=PASSWORD + "\x00"),
    case(
        "password-list-first-wrong",
        NOT_YOUR_PASSWORD,
        current_password=["not the password", PASSWORD],
    ),
]


def test_delete_account_accepts_the_valid_form_used_below(app, client, auth):
    user = auth.login_as()
    assert client.post("/account/delete", data=DELETE).headers["Location"] == "/"
    assert fetch(app, User, id=user.id) is None


@pytest.mark.parametrize(("fields", "message"), DELETE_CASES)
def test_delete_account_refuses_hostile_input(app, client, auth, fields, message):
    auth.login_as()
    with nothing_changes(app):
        response = client.post("/account/delete", data=form(DELETE, fields))
    assert_form_refused(response, message)


LANGUAGE_CASES = [
    pytest.param({"lang": "de"}, id="unknown-language"),
    pytest.param({"lang": ""}, id="empty"),
    pytest.param({}, id="missing"),
    pytest.param({"lang": "EN"}, id="wrong-case"),
    pytest.param({"lang": "fr\x00"}, id="nul-byte"),
    pytest.param({"lang": LONG}, id="overlong"),
    pytest.param({"lang": ["de", "fr"]}, id="list-first-unknown"),
]


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "visitor"])
@pytest.mark.parametrize("data", LANGUAGE_CASES)
def test_language_switch_refuses_unknown_languages(app, client, auth, signed_in, data):
    if signed_in:
        auth.login_as()
    with nothing_changes(app):
        response = client.post("/account/language", data={**data, "next": "/faq"})
    assert response.status_code == 400
    assert "lang=" not in response.headers.get("Location", "")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "/\\evil.example.com",
        "/\t/evil.example.com",
        "/faq\r\nSet-Cookie: stolen=1",
    ],
)
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "visitor"])
def test_language_switch_stays_on_this_site(client, auth, signed_in, target):
    if signed_in:
        auth.login_as()
    response = client.post("/account/language", data={"lang": "fr", "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil.example.com" not in location
    assert "stolen" not in str(response.headers)


BIG_COOKIE = "x" * 4_000  # about the most a browser sends back


@pytest.mark.parametrize(
    ("where", "value"),
    [
        pytest.param("query", "de", id="query-unknown"),
        pytest.param("query", LONG, id="query-overlong"),
        pytest.param("query", "fr\r\nSet-Cookie: x=y", id="query-header-injection"),
        pytest.param("cookie", "de", id="cookie-unknown"),
        pytest.param("cookie", "../../etc/passwd", id="cookie-path-traversal"),
        pytest.param("cookie", BIG_COOKIE, id="cookie-overlong"),
        pytest.param("header", "de-DE;q=garbage, xx;q=-1", id="accept-language-garbage"),
        pytest.param("header", "*;q=" + "9" * 1_000, id="accept-language-overlong"),
    ],
)
def test_visitor_language_choice_ignores_unknown_values(client, where, value):
    if where == "query":
        response = client.get("/", query_string={"lang": value})
    elif where == "cookie":
        client.set_cookie("cta_lang", value)
        response = client.get("/")
    else:
        response = client.get("/", headers={"Accept-Language": value})
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "cta_lang" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("cookie", ["cta_session", "cta_remember"])
@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(tampered, id="tampered"),
        pytest.param(lambda value: "garbage", id="garbage"),
        pytest.param(lambda value: "1|" + "0" * 128, id="forged-remember-format"),
        pytest.param(lambda value: BIG_COOKIE, id="overlong"),
    ],
)
def test_tampered_session_cookies_sign_nobody_in(app, client, make, cookie, mangle):
    user = make.user()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    stolen = client.get_cookie(cookie).value
    thief = app.test_client()
    thief.set_cookie(cookie, mangle(stolen))
    response = thief.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
