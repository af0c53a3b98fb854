"""Hostile input to the secretariat's pages: never a 500, a clear refusal, nothing stored."""

import pytest

from cta_learning.accounts.models import Invitation
from tests.conftest import count
from tests.hostile import (
    LONG,
    SCRIPT,
    assert_form_refused,
    case,
    email_cases,
    form,
    nothing_changes,
    page_text,
)

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
