"""What people type is shown escaped, and the longest names the forms allow still work
everywhere, emails included."""

import pytest

from cta_learning.accounts.models import Invitation, Membership, Organisation, User
from cta_learning.extensions import db
from tests.conftest import count, fetch, outbox
from tests.hostile import ACCOUNT, ESCAPED_SCRIPT, ORGANISATION, SCRIPT, link_in, membership_id

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
