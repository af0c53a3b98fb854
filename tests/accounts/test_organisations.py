"""Organisation profiles: create, edit, invite, join, remove, hand over."""

from datetime import date

from cta_learning.accounts.models import Invitation, Membership, Organisation
from cta_learning.i18n import language_name
from tests.accounts.test_auth import link_in
from tests.conftest import PASSWORD, count, fetch, outbox
from tests.hostile import page_text

PROFILE = {
    "kind": "lrg",
    "name": "Ville de Dakar",
    "country": "SN",
    "preferred_language": "fr",
    "population": "1146053",
    "declaration_signed_on": "2018-12-08",
    "declaration_signatory": "Mayor of Dakar",
    "policy_processes": ["gcm-national", "imrf"],
    "policy_processes_other": "",
}


def test_create_profile_derives_the_region(app, client, auth):
    user = auth.login_as()
    response = client.post("/organisation/new", data=PROFILE)
    assert response.headers["Location"].endswith("/organisation")
    organisation = fetch(app, Organisation, name="Ville de Dakar")
    assert organisation.region == "africa"
    assert organisation.policy_processes == ["gcm-national", "imrf"]
    assert fetch(app, Membership, user_id=user.id).role == "owner"
    page = client.get("/organisation").get_data(as_text=True)
    assert "Senegal" in page and "Africa" in page and "1,146,053" in page


def test_country_names_and_dates_are_localised(client, auth, make):
    user, _ = make.member(make.organisation(country="SN"))
    auth.login(user.email)
    client.post("/account/language", data={"lang": "fr"})
    assert "Sénégal" in client.get("/organisation").get_data(as_text=True)
    client.post("/account/language", data={"lang": "es"})
    assert "Senegal" in client.get("/organisation/edit").get_data(as_text=True)


def test_partner_profile_keeps_the_endorsement_not_the_declaration(app, client, auth):
    auth.login_as()
    client.post(
        "/organisation/new",
        data={
            **PROFILE,
            "kind": "partner",
            "name": "FAMSI",
            "country": "ES",
            "endorsed_on": "2022-06-01",
        },
    )
    organisation = fetch(app, Organisation, name="FAMSI")
    assert organisation.region == "europe"
    assert organisation.declaration_signed_on is None and organisation.endorsed_on is not None


def test_a_person_belongs_to_one_organisation(app, client, auth, make):
    user, _ = make.member()
    auth.login(user.email)
    assert client.get("/organisation/new").headers["Location"].endswith("/organisation")
    client.post("/organisation/new", data=PROFILE)
    assert count(app, Organisation) == 1


def test_members_can_edit_the_profile(app, client, auth, make):
    owner, organisation = make.member()
    member, _ = make.member(organisation, role="member")
    auth.login(member.email)
    client.post("/organisation/edit", data={**PROFILE, "name": "Dakar", "country": "BR"})
    updated = fetch(app, Organisation, id=organisation.id)
    assert (updated.name, updated.country, updated.region) == ("Dakar", "BR", "americas")


def test_invitation_flow_new_person_signs_up_and_joins(app, client, auth, make):
    owner, organisation = make.member()
    auth.login(owner.email)
    client.post(
        "/organisation/members", data={"email": "Colleague@Dakar.example.org", "role": "member"}
    )
    [message] = outbox(app, to="colleague@dakar.example.org")
    assert organisation.name in message.subject
    link = link_in(message, "/invitations/")
    auth.logout()
    assert "Log in with that address" in client.get(link).get_data(as_text=True)
    colleague = make.user(email="colleague@dakar.example.org")
    auth.login(colleague.email)
    response = client.post(link)
    assert response.headers["Location"].endswith("/organisation")
    assert fetch(app, Membership, user_id=colleague.id).organisation_id == organisation.id
    assert client.post(link).status_code == 200  # used: refused
    assert count(app, Membership, organisation_id=organisation.id) == 2


def test_invitation_for_another_address_is_refused(app, client, auth, make):
    owner, organisation = make.member()
    auth.login(owner.email)
    client.post("/organisation/members", data={"email": "a@dakar.example.org", "role": "member"})
    link = link_in(outbox(app)[0], "/invitations/")
    auth.logout()
    stranger = auth.login_as()
    response = client.post(link)
    assert "sent to another email address" in response.get_data(as_text=True)
    assert fetch(app, Membership, user_id=stranger.id) is None


def test_unknown_invitation_token_is_404(client):
    assert client.get("/invitations/not-a-token").status_code == 404


def test_owner_removes_a_member_who_is_told(app, client, auth, make):
    owner, organisation = make.member()
    member, _ = make.member(organisation, role="member")
    auth.login(owner.email)
    with app.app_context():
        membership_id = fetch(app, Membership, user_id=member.id).id
    client.post(f"/organisation/members/{membership_id}/remove")
    assert fetch(app, Membership, user_id=member.id) is None
    assert "no longer a member" in outbox(app, to=member.email)[0].subject


def test_the_last_person_in_charge_cannot_leave(app, client, auth, make):
    owner, organisation = make.member()
    auth.login(owner.email)
    response = client.post("/organisation/leave", follow_redirects=True)
    assert "at least one person in charge" in response.get_data(as_text=True)
    assert fetch(app, Membership, user_id=owner.id) is not None


def test_owner_withdraws_an_invitation(app, client, auth, make):
    owner, organisation = make.member()
    auth.login(owner.email)
    client.post("/organisation/members", data={"email": "a@dakar.example.org", "role": "member"})
    invitation = fetch(app, Invitation, email="a@dakar.example.org")
    client.post(f"/organisation/invitations/{invitation.id}/revoke")
    assert fetch(app, Invitation, id=invitation.id).revoked_at is not None
    link = link_in(outbox(app)[0], "/invitations/")
    auth.logout()
    auth.login_as(email="a@dakar.example.org")
    client.post(link)
    assert count(app, Membership, organisation_id=organisation.id) == 1


def test_admin_hands_a_profile_to_an_existing_account(app, client, auth, make):
    old_owner, organisation = make.member()
    newcomer = make.user()
    auth.login_as("admin")
    response = client.post(
        f"/admin/organisations/{organisation.id}",
        data={"email": newcomer.email, "remove_previous": "y"},
    )
    assert response.status_code == 302
    assert fetch(app, Membership, user_id=newcomer.id).role == "owner"
    assert fetch(app, Membership, user_id=old_owner.id) is None
    assert "You are now in charge" in outbox(app, to=newcomer.email)[0].subject


def test_admin_hands_a_profile_to_someone_without_an_account(app, client, auth, make):
    _, organisation = make.member()
    auth.login_as("admin")
    client.post(f"/admin/organisations/{organisation.id}", data={"email": "new@dakar.example.org"})
    invitation = fetch(app, Invitation, email="new@dakar.example.org")
    assert invitation.role == "owner"
    assert outbox(app, to="new@dakar.example.org")


def test_hand_over_to_a_member_of_another_organisation_is_refused(app, client, auth, make):
    _, organisation = make.member()
    elsewhere, _ = make.member()
    auth.login_as("admin")
    response = client.post(
        f"/admin/organisations/{organisation.id}", data={"email": elsewhere.email}
    )
    assert "already belongs to another organisation" in response.get_data(as_text=True)
    assert count(app, Membership, organisation_id=organisation.id) == 1


def test_member_login_password_is_unchanged_by_invites(client, auth, make):
    owner, _ = make.member()
    assert auth.login(owner.email, PASSWORD).status_code == 302


# --- the profile page and form (issue 15) -------------------------------------------------------


def _profile_text(client) -> str:
    return " ".join(page_text(client.get("/organisation")).split())


def test_a_signatory_without_a_date_reads_as_signed(client, auth, make):
    cases = [
        ({"declaration_signatory": "Mayor of Dakar"}, "Signed (date not given) — Mayor of Dakar"),
        (
            {"declaration_signed_on": date(2018, 12, 8), "declaration_signatory": "Mayor"},
            "Signed on Dec 8, 2018 — Mayor",
        ),
        ({}, "Not signed yet"),
    ]
    for declaration, reading in cases:
        user, _ = make.member(make.organisation(**declaration))
        auth.login(user.email)
        text = _profile_text(client)
        assert reading in text
        assert ("Not signed yet" in text) == (reading == "Not signed yet")
        auth.logout()


def test_the_preferred_language_is_named_in_the_pages_language(client, auth, make):
    user, _ = make.member(make.organisation(preferred_language="es"), locale="en")
    auth.login(user.email)
    assert "<dd>Spanish</dd>" in _profile_text(client)
    client.post("/account/language", data={"lang": "fr"})
    text = _profile_text(client)
    assert "<dd>espagnol</dd>" in text and "Español</dd>" not in text


def test_language_names_come_from_babel_in_the_readers_language(app):
    with app.test_request_context("/?lang=fr"):
        assert [language_name(code) for code in ("en", "es", "fr")] == [
            "anglais",
            "espagnol",
            "français",
        ]
        assert (language_name("xx"), language_name("not a code"), language_name(None)) == (
            "xx",
            "not a code",
            "",
        )
    with app.test_request_context("/?lang=es"):
        assert language_name("en") == "inglés"


def test_the_form_says_which_kind_each_part_is_for(client, auth):
    auth.login_as()
    html = client.get("/organisation/new").get_data(as_text=True)
    assert html.count("<fieldset data-for-kind=") == 2
    assert "Only for a local or regional government: the Marrakech Mayors Declaration" in html
    assert "Only for a partner organisation: the endorsement of the Call" in html
    assert "<legend>For a local or regional government</legend>" not in html
    assert "js/organisation-kind.js" in html
