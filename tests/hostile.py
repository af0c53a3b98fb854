# ruff: noqa: S106 - the passwords here are test payloads
"""Helpers of the hostile-input tests: payloads, expected messages, the valid forms they
start from, and `nothing_changes`, which takes a picture of every table (the outbox and the
audit log included) before a hostile request and compares it afterwards: a refused form must
leave no trace at all.

The tests themselves live with their feature: tests/accounts/test_hostile_*.py,
tests/community/*/test_hostile.py, and tests/test_not_text.py for every form at once.
"""

import html
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from cta_learning.accounts.models import Membership
from cta_learning.extensions import db
from tests.conftest import PASSWORD, fetch

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


_ISOLATES = re.compile(r"</?bdi\b[^>]*>")


def page_text(response) -> str:
    """The page's HTML with entities decoded and without the `<bdi>` tags that isolate names in
    sentences (they only set a direction), so that a sentence reads as written."""
    return html.unescape(_ISOLATES.sub("", response.get_data(as_text=True)))


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


# --- valid forms that the tests break one field at a time ------------------------------

SIGNUP = {
    "name": "Awa Diop",
    "email": "awa@dakar.example.org",
    "password": "a long password",
    "confirm": "a long password",
    "locale": "en",
    "timezone": "Africa/Dakar",
}
RESET = {"password": "a brand new password", "confirm": "a brand new password"}
ACCOUNT = {"name": "Awa Diop", "locale": "en", "timezone": "Africa/Dakar"}
CHANGE_EMAIL = {"email": "new@dakar.example.org", "current_password": PASSWORD}
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
INVITE = {"email": "colleague@dakar.example.org", "role": "member"}


def membership_id(app, user) -> int:
    return fetch(app, Membership, user_id=user.id).id
