# ruff: noqa: S106 - the passwords here are test payloads
"""Hostile input to every form: never a 500, always a clear refusal, and nothing stored.

Each test takes a picture of every table (the outbox and the audit log included) before the
hostile request and compares it afterwards: a refused form must leave no trace at all.
"""

import html
import io
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from cta_learning.accounts.models import Invitation, Membership, Organisation, User
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.conftest import PASSWORD, count, fetch, outbox

LONG = "x" * 10_000
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
HEADER_INJECTION = "Awa\r\nBcc: x@y.org"
NUL = "a\x00b"
MISSING = object()  # leave the field out of the form
TOMORROW = (date.today() + timedelta(days=2)).isoformat()

REQUIRED = "This field is required."
ONE_LINE = "This field must fit on one line."
NOT_ALLOWED = "This field contains characters that are not allowed."
NOT_A_CHOICE = "Not a valid choice."
BAD_EMAIL = "Enter a valid email address, like name@city.org."
NO_EMAIL = "Enter your email address."
EMAIL_TOO_LONG = "An email address has at most 254 characters."
PASSWORD_LENGTH = "A password has between 10 and 128 characters."
NOT_YOUR_PASSWORD = "This is not your current password."
LAST_OWNER = "An organisation keeps at least one person in charge."


# --- helpers -----------------------------------------------------------------------------


def case(case_id: str, message: str | None = None, **fields) -> pytest.param:
    """One hostile payload: the fields it overrides and the error message it must show."""
    return pytest.param(fields, message, id=case_id)


def form(base: dict, overrides: dict) -> dict:
    data = {**base, **overrides}
    return {name: value for name, value in data.items() if value is not MISSING}


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def database_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with app.app_context():
        return {
            table.name: sorted((tuple(row) for row in db.session.execute(table.select())), key=repr)
            for table in db.metadata.sorted_tables
        }


@contextmanager
def nothing_changes(app):
    """Fail if any row of any table (outbox and audit log included) differs afterwards."""
    before = database_rows(app)
    yield
    after = database_rows(app)
    differences = []
    for table, rows in before.items():
        if after[table] != rows:
            added = [row for row in after[table] if row not in rows]
            removed = [row for row in rows if row not in after[table]]
            differences.append(f"{table}: added {added!r}, removed {removed!r}")
    assert not differences, "the database changed:\n" + "\n".join(differences)


def assert_form_refused(response, message: str) -> None:
    """The form comes back (200) with the error message next to the field."""
    assert response.status_code == 200, response.status_code
    text = page_text(response)
    assert message in text, f"{message!r} not shown"
    assert "Please correct the highlighted fields." in text


def link_in(message, path: str) -> str:
    match = re.search(rf"https://learning\.example\.org({path}[^\s<>]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def tampered(token: str) -> str:
    """One character of the signature changed (not the last one: its low bits are padding)."""
    return token[:-5] + ("x" if token[-5] != "x" else "y") + token[-4:]


# Cases shared by every email field and every single-line name field.


def email_cases(field: str) -> list:
    return [
        case("email-overlong", EMAIL_TOO_LONG, **{field: "a" * 10_000 + "@dakar.example.org"}),
        case("email-empty", NO_EMAIL, **{field: ""}),
        case("email-missing", NO_EMAIL, **{field: MISSING}),
        case(
            "email-header-injection", ONE_LINE, **{field: "awa@dakar.example.org\r\nBcc: x@y.org"}
        ),
        case("email-nul-byte", NOT_ALLOWED, **{field: "awa\x00@dakar.example.org"}),
        case("email-not-an-address", BAD_EMAIL, **{field: "not-an-email"}),
        case("email-script", BAD_EMAIL, **{field: SCRIPT}),
        case(
            "email-list-first-invalid",
            BAD_EMAIL,
            **{field: ["not-an-email", "awa@dakar.example.org"]},
        ),
    ]


def name_cases(field: str, max_length: int) -> list:
    return [
        case("name-overlong", f"At most {max_length} characters.", **{field: LONG}),
        case("name-empty", REQUIRED, **{field: ""}),
        case("name-only-spaces", REQUIRED, **{field: "   "}),
        case("name-header-injection", ONE_LINE, **{field: HEADER_INJECTION}),
        case("name-line-separator", ONE_LINE, **{field: "Awa\u2028Diop"}),
        case("name-nul-byte", NOT_ALLOWED, **{field: NUL}),
        case("name-control-character", NOT_ALLOWED, **{field: "Awa\x1bDiop"}),
    ]


def new_password_cases() -> list:
    return [
        case("password-too-short", PASSWORD_LENGTH, password="short", confirm="short"),
        case("password-overlong", PASSWORD_LENGTH, password=LONG, confirm=LONG),
        case("password-empty", "Choose a password.", password="", confirm=""),
        case("password-missing", "Choose a password.", password=MISSING, confirm=MISSING),
        case(
            "password-confirm-differs", "The two passwords differ.", confirm="another long password"
        ),
        case(
            "password-nul-byte",
            NOT_ALLOWED,
            password="a long\x00password",
            confirm="a long\x00password",
        ),
        case(
            "password-line-break",
            ONE_LINE,
            password="a long\r\npassword",
            confirm="a long\r\npassword",
        ),
    ]


def select_cases(field: str, valid: str) -> list:
    return [
        case(f"{field}-unknown", NOT_A_CHOICE, **{field: "de"}),
        case(f"{field}-empty", NOT_A_CHOICE, **{field: ""}),
        case(f"{field}-overlong", NOT_A_CHOICE, **{field: LONG}),
        case(f"{field}-nul-byte", NOT_A_CHOICE, **{field: valid + "\x00"}),
        case(f"{field}-list-first-invalid", NOT_A_CHOICE, **{field: ["de", valid]}),
    ]


TIMEZONE_CASES = [
    case("timezone-on-mars", NOT_A_CHOICE, timezone="Mars/Olympus"),
    case("timezone-path-traversal", NOT_A_CHOICE, timezone="../../etc/passwd"),
    case("timezone-empty", NOT_A_CHOICE, timezone=""),
    case("timezone-overlong", NOT_A_CHOICE, timezone=LONG),
    case("timezone-nul-byte", NOT_A_CHOICE, timezone="UTC\x00"),
    case("timezone-wrong-case", NOT_A_CHOICE, timezone="africa/dakar"),
]


# --- sign-up, log in, confirmation, password reset ----------------------------------------

SIGNUP = {
    "name": "Awa Diop",
    "email": "awa@dakar.example.org",
    "password": "a long password",
    "confirm": "a long password",
    "locale": "en",
    "timezone": "Africa/Dakar",
}
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


RESET = {"password": "a brand new password", "confirm": "a brand new password"}


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


# --- account settings --------------------------------------------------------------------

ACCOUNT = {"name": "Awa Diop", "locale": "en", "timezone": "Africa/Dakar"}
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


CHANGE_EMAIL = {"email": "new@dakar.example.org", "current_password": PASSWORD}
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


# --- organisation profile ----------------------------------------------------------------

ORGANISATION = {
    "kind": "lrg",
    "name": "Ville de Dakar",
    "country": "SN",
    "preferred_language": "fr",
    "population": "1200000",
    "declaration_signed_on": "2019-05-02",
    "declaration_signatory": "Mayor of Dakar",
    "endorsed_on": "",
    "policy_processes": ["gcm-national", "imrf"],
    "policy_processes_other": "",
}
POPULATION_RANGE = "Enter a number between 1 and 100,000,000."
NOT_AN_INTEGER = "Not a valid integer value."
NOT_A_DATE = "Not a valid date value."
BEFORE_DECLARATION = "The Declaration was adopted in December 2018"
ORGANISATION_CASES = [
    case("kind-unknown", NOT_A_CHOICE, kind="city"),
    case("kind-empty", "Choose the kind of organisation.", kind=""),
    case("kind-missing", "Choose the kind of organisation.", kind=MISSING),
    case("kind-list-first-unknown", NOT_A_CHOICE, kind=["city", "lrg"]),
    *name_cases("name", 200),
    case("country-ZZ", "Choose a country.", country="ZZ"),
    case("country-XX", "Choose a country.", country="XX"),
    case("country-lower-case", "Choose a country.", country="sn"),
    case("country-empty", "Choose a country.", country=""),
    case("country-missing", "Choose a country.", country=MISSING),
    case("country-overlong", "Choose a country.", country=LONG),
    case("country-with-line-break", "Choose a country.", country="SN\r\n"),
    case("language-unknown", NOT_A_CHOICE, preferred_language="de"),
    case("language-nul-byte", NOT_A_CHOICE, preferred_language="fr\x00"),
    case("population-letters", NOT_AN_INTEGER, population="twelve"),
    case("population-decimal", NOT_AN_INTEGER, population="12.5"),
    case("population-zero", POPULATION_RANGE, population="0"),
    case("population-negative", POPULATION_RANGE, population="-5"),
    case("population-10-to-the-12", POPULATION_RANGE, population=str(10**12)),
    case("population-10000-digits", NOT_AN_INTEGER, population="9" * 10_000),
    case("population-list-first-letters", NOT_AN_INTEGER, population=["abc", "12"]),
    case("declaration-impossible-date", NOT_A_DATE, declaration_signed_on="2019-13-45"),
    case("declaration-not-a-date", NOT_A_DATE, declaration_signed_on=SCRIPT),
    case("declaration-overlong", NOT_A_DATE, declaration_signed_on=LONG),
    case(
        "declaration-in-the-future", "This date is in the future.", declaration_signed_on=TOMORROW
    ),
    case("declaration-before-2018", BEFORE_DECLARATION, declaration_signed_on="2017-12-31"),
    case(
        "declaration-before-december-2018", BEFORE_DECLARATION, declaration_signed_on="2018-06-30"
    ),
    case("signatory-overlong", "At most 200 characters.", declaration_signatory=LONG),
    case("signatory-header-injection", ONE_LINE, declaration_signatory=HEADER_INJECTION),
    case(
        "endorsement-in-the-future",
        "This date is in the future.",
        kind="partner",
        endorsed_on=TOMORROW,
    ),
    case(
        "endorsement-before-the-call",
        "The Call was launched in 2022",
        kind="partner",
        endorsed_on="2021-12-31",
    ),
    case("endorsement-impossible-date", NOT_A_DATE, kind="partner", endorsed_on="2023-02-30"),
    case(
        "process-unknown",
        "'unknown' is not a valid choice for this field.",
        policy_processes=["gcm-national", "unknown"],
    ),
    case("process-overlong", "is not a valid choice for this field.", policy_processes=[LONG]),
    case(
        "process-nul-byte", "is not a valid choice for this field.", policy_processes=["imrf\x00"]
    ),
    case("other-processes-overlong", "At most 1000 characters.", policy_processes_other=LONG),
    case("other-processes-nul-byte", NOT_ALLOWED, policy_processes_other="GCM\x00 review"),
]


def test_organisation_form_accepts_the_valid_data_used_below(app, client, auth):
    auth.login_as()
    assert client.post("/organisation/new", data=ORGANISATION).status_code == 302
    organisation = fetch(app, Organisation, name="Ville de Dakar")
    assert organisation.population == 1_200_000 and organisation.region == "africa"
    assert organisation.policy_processes == ["gcm-national", "imrf"]


@pytest.mark.parametrize(("fields", "message"), ORGANISATION_CASES)
def test_creating_an_organisation_refuses_hostile_input(app, client, auth, fields, message):
    auth.login_as()
    with nothing_changes(app):
        response = client.post("/organisation/new", data=form(ORGANISATION, fields))
    assert_form_refused(response, message)


@pytest.mark.parametrize(("fields", "message"), ORGANISATION_CASES)
def test_editing_an_organisation_refuses_hostile_input(app, client, auth, make, fields, message):
    owner, _ = make.member(make.organisation(population=5000))
    auth.login(owner.email)
    with nothing_changes(app):
        response = client.post("/organisation/edit", data=form(ORGANISATION, fields))
    assert_form_refused(response, message)


# --- members and invitations -------------------------------------------------------------

INVITE = {"email": "colleague@dakar.example.org", "role": "member"}
INVITE_CASES = [
    *email_cases("email"),
    case("already-a-member", "This person is already a member.", email="member@dakar.example.org"),
    case("role-admin", NOT_A_CHOICE, role="admin"),
    case("role-organiser", NOT_A_CHOICE, role="organiser"),
    case("role-wrong-case", NOT_A_CHOICE, role="OWNER"),
    case("role-empty", NOT_A_CHOICE, role=""),
    case("role-overlong", NOT_A_CHOICE, role=LONG),
    case("role-list-first-unknown", NOT_A_CHOICE, role=["admin", "member"]),
]


@pytest.fixture
def owner(auth, make):
    """The signed-in person in charge of an organisation with one other member."""
    owner, organisation = make.member(email="owner@dakar.example.org")
    make.member(organisation, role="member", email="member@dakar.example.org")
    auth.login(owner.email)
    return owner, organisation


def membership_id(app, user) -> int:
    return fetch(app, Membership, user_id=user.id).id


def test_invite_accepts_the_valid_form_used_below(app, client, owner):
    assert client.post("/organisation/members", data=INVITE).status_code == 302
    assert count(app, Invitation, email="colleague@dakar.example.org") == 1


@pytest.mark.parametrize(("fields", "message"), INVITE_CASES)
def test_invite_refuses_hostile_input(app, client, owner, fields, message):
    with nothing_changes(app):
        response = client.post("/organisation/members", data=form(INVITE, fields))
    assert_form_refused(response, message)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"role": "admin"}, id="role-admin"),
        pytest.param({"role": "organiser"}, id="role-organiser"),
        pytest.param({"role": "OWNER"}, id="role-wrong-case"),
        pytest.param({"role": ""}, id="role-empty"),
        pytest.param({}, id="role-missing"),
        pytest.param({"role": LONG}, id="role-overlong"),
        pytest.param({"role": "owner\x00"}, id="role-nul-byte"),
        pytest.param({"role": ["admin", "owner"]}, id="role-list-first-unknown"),
    ],
)
def test_member_role_change_refuses_unknown_roles(app, client, owner, make, data):
    member = fetch(app, User, email="member@dakar.example.org")
    with nothing_changes(app):
        response = client.post(
            f"/organisation/members/{membership_id(app, member)}/role", data=data
        )
    assert response.status_code == 400


@pytest.fixture
def elsewhere(app, make):
    """Another organisation, with a member and an open invitation."""
    other_owner, other = make.member()
    with app.app_context():
        db.session.add(
            Invitation(
                organisation_id=other.id,
                email="guest@elsewhere.example.org",
                role="member",
                token_hash="0" * 64,
                expires_at=utcnow() + timedelta(days=7),
            )
        )
        db.session.commit()
    return {
        "membership": membership_id(app, other_owner),
        "invitation": fetch(app, Invitation, organisation_id=other.id).id,
    }


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/organisation/members/{}/role", "membership"),
        ("/organisation/members/{}/remove", "membership"),
        ("/organisation/invitations/{}/revoke", "invitation"),
    ],
)
def test_memberships_and_invitations_of_another_organisation_are_404(
    app, client, owner, elsewhere, path, target
):
    with nothing_changes(app):
        response = client.post(path.format(elsewhere[target]), data={"role": "member"})
    assert response.status_code == 404


@pytest.mark.parametrize("identifier", ["999999", "0", "-1", "abc", "1e3", "1%00", LONG])
@pytest.mark.parametrize(
    "path",
    [
        "/organisation/members/{}/role",
        "/organisation/members/{}/remove",
        "/organisation/invitations/{}/revoke",
    ],
)
def test_unknown_or_malformed_ids_are_refused(app, client, owner, path, identifier):
    with nothing_changes(app):
        response = client.post(path.format(identifier), data={"role": "member"})
    assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("role", {"role": "member"}),
        ("remove", {}),
    ],
)
def test_the_last_person_in_charge_cannot_demote_or_remove_themselves(
    app, client, owner, action, data
):
    me = membership_id(app, owner[0])
    with nothing_changes(app):
        response = client.post(
            f"/organisation/members/{me}/{action}", data=data, follow_redirects=True
        )
    assert response.status_code == 200
    assert LAST_OWNER in page_text(response)


@pytest.fixture
def invitation_link(app, client, owner):
    """A real invitation for invitee@dakar.example.org, sent by the owner (then logged out)."""
    client.post(
        "/organisation/members", data={"email": "invitee@dakar.example.org", "role": "member"}
    )
    link = link_in(outbox(app, to="invitee@dakar.example.org")[-1], "/invitations/")
    client.post("/logout")
    return link


@pytest.mark.parametrize(
    ("mangle", "status"),
    [
        pytest.param(tampered, 404, id="tampered"),
        pytest.param(lambda link: link + "x", 404, id="extra-character"),
        pytest.param(lambda link: "/invitations/" + "x" * 5_000, 404, id="overlong"),
        pytest.param(lambda link: link + "%00", 400, id="nul-byte"),
        pytest.param(lambda link: "/invitations/" + "0" * 64, 404, id="looks-like-a-hash"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_tampered_invitation_links_are_refused(
    app, client, auth, invitation_link, mangle, status, method
):
    auth.login_as(email="invitee@dakar.example.org")
    with nothing_changes(app):
        response = client.open(mangle(invitation_link), method=method)
    assert response.status_code == status


def test_invitation_for_another_address_cannot_be_accepted(app, client, auth, invitation_link):
    auth.login_as(email="intruder@dakar.example.org")
    with nothing_changes(app):
        response = client.post(invitation_link)
    assert response.status_code == 200
    assert "This invitation was sent to another email address." in page_text(response)


def test_invitation_cannot_be_accepted_by_a_member_of_another_organisation(
    app, client, auth, make, invitation_link
):
    invitee, _ = make.member(email="invitee@dakar.example.org")
    auth.login(invitee.email)
    with nothing_changes(app):
        response = client.post(invitation_link)
    assert "You already belong to an organisation profile." in page_text(response)


def test_withdrawn_invitation_cannot_be_accepted(app, client, auth, invitation_link):
    invitation = fetch(app, Invitation, email="invitee@dakar.example.org")
    auth.login("owner@dakar.example.org")
    client.post(f"/organisation/invitations/{invitation.id}/revoke")
    client.post("/logout")
    auth.login_as(email="invitee@dakar.example.org")
    with nothing_changes(app):
        response = client.post(invitation_link)
    assert "This invitation has expired, was withdrawn or was used." in page_text(response)


def test_visitor_posting_to_an_invitation_joins_nothing(app, client, invitation_link):
    with nothing_changes(app):
        assert client.post(invitation_link).status_code == 200


# --- the secretariat's pages -------------------------------------------------------------


@pytest.fixture
def admin(auth):
    return auth.login_as("admin")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"role": "superadmin"}, id="role-unknown"),
        pytest.param({"role": "owner"}, id="role-of-a-membership"),
        pytest.param({"role": "Admin"}, id="role-wrong-case"),
        pytest.param({"role": ""}, id="role-empty"),
        pytest.param({}, id="role-missing"),
        pytest.param({"role": "admin\x00"}, id="role-nul-byte"),
        pytest.param({"role": LONG}, id="role-overlong"),
        pytest.param({"role": ["root", "admin"]}, id="role-list-first-unknown"),
    ],
)
def test_admin_role_change_refuses_unknown_roles(app, client, admin, make, data):
    target = make.user()
    with nothing_changes(app):
        response = client.post(f"/admin/users/{target.id}/role", data=data)
    assert response.status_code == 400


@pytest.mark.parametrize("identifier", ["999999", "abc", "-1", LONG])
@pytest.mark.parametrize("action", ["role", "active"])
def test_admin_actions_on_unknown_people_are_404(app, client, admin, action, identifier):
    with nothing_changes(app):
        response = client.post(f"/admin/users/{identifier}/{action}", data={"role": "admin"})
    assert response.status_code == 404


def test_admin_cannot_change_their_own_role(app, client, admin):
    with nothing_changes(app):
        response = client.post(
            f"/admin/users/{admin.id}/role", data={"role": "member"}, follow_redirects=True
        )
    assert "You cannot change your own role." in page_text(response)


HAND_OVER_CASES = [
    *email_cases("email"),
    case(
        "member-of-another-organisation",
        "This person already belongs to another organisation.",
        email="busy@elsewhere.example.org",
    ),
]


def test_hand_over_accepts_the_valid_form_used_below(app, client, admin, make):
    _, organisation = make.member()
    response = client.post(
        f"/admin/organisations/{organisation.id}", data={"email": "awa@dakar.example.org"}
    )
    assert response.status_code == 302
    assert count(app, Invitation, email="awa@dakar.example.org", role="owner") == 1


@pytest.mark.parametrize(("fields", "message"), HAND_OVER_CASES)
def test_hand_over_refuses_hostile_input(app, client, admin, make, fields, message):
    _, organisation = make.member()
    make.member(email="busy@elsewhere.example.org")
    with nothing_changes(app):
        response = client.post(
            f"/admin/organisations/{organisation.id}",
            data=form({"email": "awa@dakar.example.org", "remove_previous": "y"}, fields),
        )
    assert_form_refused(response, message)


@pytest.mark.parametrize("identifier", ["999999", "abc", "-1"])
def test_hand_over_of_an_unknown_organisation_is_404(app, client, admin, identifier):
    with nothing_changes(app):
        response = client.post(
            f"/admin/organisations/{identifier}", data={"email": "awa@dakar.example.org"}
        )
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/admin/users", "/admin/organisations"])
@pytest.mark.parametrize(
    "term",
    [
        pytest.param(LONG, id="overlong"),
        pytest.param("%", id="percent"),
        pytest.param("_", id="underscore"),
        pytest.param("\\", id="backslash"),
        pytest.param("a\\", id="trailing-backslash"),
        pytest.param("'; DROP TABLE users; --", id="sql"),
        pytest.param(SCRIPT, id="script"),
    ],
)
def test_admin_search_survives_hostile_terms(app, client, admin, path, term):
    with nothing_changes(app):
        response = client.get(path, query_string={"q": term})
    assert response.status_code == 200
    assert SCRIPT not in response.get_data(as_text=True)


def test_mailbox_ignores_an_unknown_status_filter(client, admin):
    response = client.get("/admin/mailbox/", query_string={"status": SCRIPT})
    assert response.status_code == 200
    assert SCRIPT not in response.get_data(as_text=True)


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


# --- what is stored is shown escaped -----------------------------------------------------


def assert_escaped(client, path: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert SCRIPT not in page, f"raw <script> on {path}"
    assert ESCAPED_SCRIPT in page, f"the name is not shown on {path}"


def test_a_script_in_a_person_name_is_shown_as_text(app, client, auth, make):
    user = auth.login_as(email="awa@dakar.example.org")
    assert client.post("/account", data={**ACCOUNT, "name": SCRIPT}).status_code == 302
    assert fetch(app, User, id=user.id).name == SCRIPT
    for path in ("/dashboard", "/account"):
        assert_escaped(client, path)
    client.post("/logout")
    response = auth.login(user.email)  # "Welcome, <name>." is flashed
    assert_escaped(client, response.headers["Location"])

    _, organisation = make.member(email="boss@dakar.example.org")
    client.post("/logout")
    auth.login("boss@dakar.example.org")
    client.post("/organisation/members", data={"email": user.email, "role": "member"})
    client.post("/logout")
    auth.login(user.email)
    client.post(link_in(outbox(app, to=user.email)[-1], "/invitations/"))
    assert_escaped(client, "/organisation/members")

    client.post("/logout")
    auth.login_as("admin")
    for path in ("/admin/users", f"/admin/organisations/{organisation.id}"):
        assert_escaped(client, path)


def test_a_script_in_an_organisation_profile_is_shown_as_text(app, client, auth):
    auth.login_as()
    response = client.post(
        "/organisation/new",
        data={
            **ORGANISATION,
            "name": SCRIPT,
            "declaration_signatory": SCRIPT,
            "policy_processes_other": SCRIPT,
        },
    )
    assert response.status_code == 302
    organisation = fetch(app, Organisation, name=SCRIPT)
    assert organisation.policy_processes_other == SCRIPT
    for path in ("/organisation", "/organisation/edit", "/organisation/members", "/dashboard"):
        assert_escaped(client, path)

    client.post(
        "/organisation/members", data={"email": "guest@dakar.example.org", "role": "member"}
    )
    [invitation] = outbox(app, to="guest@dakar.example.org")
    assert SCRIPT not in invitation.body_html
    client.post("/logout")
    assert_escaped(client, link_in(invitation, "/invitations/"))

    auth.login_as("admin")
    for path in (
        "/admin/organisations",
        f"/admin/organisations/{organisation.id}",
        "/admin/mailbox/",
        f"/admin/mailbox/{invitation.id}",
    ):
        assert_escaped(client, path)


# --- the longest names that the forms allow still work everywhere ------------------------


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_longest_organisation_name_can_still_send_every_email(
    app, client, auth, make, language
):
    """Email subjects quote the organisation's name (up to 200 characters) in its language."""
    longest = "Municipalité " + "N" * 187
    auth.login_as(locale=language)
    data = {**ORGANISATION, "name": longest, "preferred_language": language}
    assert client.post("/organisation/new", data=data).status_code == 302
    member = make.user(locale=language)
    client.post("/organisation/members", data={"email": "guest@dakar.example.org", "role": "owner"})
    assert count(app, Invitation, email="guest@dakar.example.org") == 1
    organisation = fetch(app, Organisation, name=longest)
    with app.app_context():
        db.session.add(
            Membership(organisation_id=organisation.id, user_id=member.id, role="member")
        )
        db.session.commit()
    response = client.post(f"/organisation/members/{membership_id(app, member)}/remove")
    assert response.status_code == 302
    client.post("/logout")
    auth.login_as("admin")
    response = client.post(f"/admin/organisations/{organisation.id}", data={"email": member.email})
    assert response.status_code == 302
    assert fetch(app, Membership, user_id=member.id).role == "owner"
    subjects = [message.subject for message in outbox(app)]
    assert len(subjects) == 3  # the invitation, the removal, the access granted
    assert all(len(subject) <= 255 for subject in subjects), subjects
