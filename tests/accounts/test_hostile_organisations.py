"""Hostile input to organisation profiles, members and invitations: never a 500, a clear
refusal, nothing stored."""

from datetime import timedelta

import pytest

from cta_learning.accounts.models import Invitation, Organisation, User
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.conftest import count, fetch, outbox
from tests.hostile import (
    HEADER_INJECTION,
    INVITE,
    LAST_OWNER,
    LONG,
    MISSING,
    NOT_A_CHOICE,
    NOT_ALLOWED,
    ONE_LINE,
    ORGANISATION,
    SCRIPT,
    TOMORROW,
    assert_form_refused,
    case,
    email_cases,
    form,
    link_in,
    membership_id,
    name_cases,
    nothing_changes,
    page_text,
    tampered,
)

# --- organisation profile ----------------------------------------------------------------

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
