"""Accounts cannot be taken over: links bound to the account's state, closing revokes every
key at once, and no form reveals whether an address has an account (issue 12, items 5, 10, 11)."""

import re

from sqlalchemy import update

from cta_learning.accounts import user_admin_operations
from cta_learning.accounts.models import Invitation, User
from cta_learning.accounts.operations import account_closing, hash_password
from cta_learning.extensions import db
from tests.accounts.test_auth import link_in, signup
from tests.conftest import PASSWORD, fetch, outbox
from tests.test_cli import run

CSRF_TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')
NEW_PASSWORD = {"password": "a brand new password", "confirm": "a brand new password"}


def change_email_through_the_app(app, client, auth, user, new_email: str) -> None:
    auth.login(user.email)
    client.post("/account/email", data={"email": new_email, "current_password": PASSWORD})
    link = link_in(outbox(app, to=new_email)[-1], "/account/email/confirm/")
    assert client.get(link).headers["Location"] == "/login"
    assert fetch(app, User, id=user.id).email == new_email


def set_user(app, user_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(**values))
        db.session.commit()


# --- item 5: links bound to the state they were sent for --------------------------------


def test_reset_link_is_refused_once_the_address_changed(app, client, auth, make):
    user = make.user(email="old@dakar.example.org")
    client.post("/password/forgot", data={"email": user.email})
    reset = link_in(outbox(app, to=user.email)[-1], "/password/reset/")
    change_email_through_the_app(app, client, auth, user, "new@dakar.example.org")
    response = client.post(reset, data=NEW_PASSWORD)
    assert response.headers["Location"] == "/password/forgot"
    assert client.get(reset).headers["Location"] == "/password/forgot"
    assert auth.login("new@dakar.example.org").status_code == 302  # the password is unchanged


def test_confirmation_link_is_refused_once_the_address_or_the_password_changed(app, client, make):
    user = make.user(email="awa@dakar.example.org", confirmed=False)
    client.post("/confirm", data={"email": user.email})
    first = link_in(outbox(app, to=user.email)[-1], "/confirm/")
    set_user(app, user.id, email="other@dakar.example.org")
    assert client.get(first).headers["Location"] == "/confirm"
    client.post("/confirm", data={"email": "other@dakar.example.org"})
    second = link_in(outbox(app, to="other@dakar.example.org")[-1], "/confirm/")
    set_user(app, user.id, password_hash=hash_password_in(app, "another long password"))
    assert client.get(second).headers["Location"] == "/confirm"
    assert fetch(app, User, id=user.id).email_confirmed_at is None


def test_confirmation_link_works_once(app, client):
    signup(client)
    link = link_in(outbox(app)[0], "/confirm/")
    assert client.get(link).headers["Location"] == "/login"
    assert client.get(link).headers["Location"] == "/confirm"


def test_email_change_link_is_refused_once_the_password_changed(app, client, auth):
    user = auth.login_as()
    client.post(
        "/account/email", data={"email": "new@dakar.example.org", "current_password": PASSWORD}
    )
    link = link_in(outbox(app, to="new@dakar.example.org")[-1], "/account/email/confirm/")
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, **NEW_PASSWORD},
    )
    assert client.get(link).headers["Location"] == "/"
    assert fetch(app, User, id=user.id).email == user.email


def hash_password_in(app, password: str) -> str:
    with app.app_context():
        return hash_password(password)


# --- item 10: deactivation and deletion revoke at once -----------------------------------


def member_with_keys(app, client, auth, make):
    """An owner signed in, with a calendar address and an open invitation they sent."""
    owner, _organisation = make.member()
    auth.login(owner.email)
    assert client.post("/events/mine/calendar").status_code == 302
    feed = client.get("/events/mine").get_data(as_text=True)
    token = feed.split("/events/calendar/", 1)[1].split(".ics", 1)[0]
    client.post("/organisation/members", data={"email": "new@dakar.example.org", "role": "member"})
    invitation = link_in(outbox(app, to="new@dakar.example.org")[-1], "/invitations/")
    assert app.test_client().get(f"/events/calendar/{token}.ics").status_code == 200
    return owner, f"/events/calendar/{token}.ics", invitation


def assert_keys_revoked(app, client, make, feed: str, invitation: str) -> None:
    assert app.test_client().get(feed).status_code == 404
    assert client.get("/dashboard").status_code == 302  # the session ended
    newcomer = make.user(email="new@dakar.example.org")
    browser = app.test_client()
    browser.post("/login", data={"email": newcomer.email, "password": PASSWORD})
    page = browser.post(invitation).get_data(as_text=True)
    assert "This invitation has expired, was withdrawn or was used" in page
    assert fetch(app, Invitation, email="new@dakar.example.org").revoked_at is not None


def test_deactivation_by_an_admin_revokes_feed_sessions_and_invitations(app, client, auth, make):
    """The operation behind the admin people page (whose access tests/test_access.py checks)."""
    owner, feed, invitation = member_with_keys(app, client, auth, make)
    admin = make.user(role="admin")
    with app.app_context():
        user_admin_operations.set_active(
            db.session.get(User, owner.id), False, db.session.get(User, admin.id)
        )
        db.session.commit()
    assert fetch(app, User, id=owner.id).is_active is False
    assert_keys_revoked(app, client, make, feed, invitation)


def test_deactivation_from_the_command_line_revokes_the_same(app, client, auth, make):
    owner, feed, invitation = member_with_keys(app, client, auth, make)
    assert run(app, "users", "deactivate", owner.email).exit_code == 0
    assert_keys_revoked(app, client, make, feed, invitation)


def test_deletion_revokes_the_invitations_the_person_sent(app, client, auth, make):
    owner, feed, invitation = member_with_keys(app, client, auth, make)
    client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert fetch(app, User, id=owner.id) is None
    assert_keys_revoked(app, client, make, feed, invitation)


def test_closing_an_account_tells_other_modules_for_both_deactivation_and_deletion(
    app, client, auth, make
):
    """The hook a later module (API tokens) joins to revoke its own keys."""
    closed = []

    def receiver(user):
        closed.append(user.id)

    account_closing.connect(receiver)
    try:
        first, second = make.user(), make.user()
        assert run(app, "users", "deactivate", first.email).exit_code == 0
        auth.login(second.email)
        client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    finally:
        account_closing.disconnect(receiver)
    assert closed == [first.id, second.id]


# --- item 11: no form reveals whether an address has an account --------------------------


def answer(client, response, address: str, me: str = "") -> tuple:
    """What a visitor sees: status, where it leads, and the page there (addresses masked)."""
    location = response.headers.get("Location")
    page = client.get(location).get_data(as_text=True) if location else ""
    page = CSRF_TOKEN.sub("TOKEN", page.replace(address, "ADDRESS"))
    return response.status_code, location, page.replace(me, "ME") if me else page


def test_signup_with_a_taken_address_answers_like_a_new_one(app, make):
    make.user(email="taken@dakar.example.org", name="Fatou Sow")
    new_browser, taken_browser = app.test_client(), app.test_client()
    new = signup(new_browser, email="new@dakar.example.org")
    taken = signup(taken_browser, email="taken@dakar.example.org")
    assert new.status_code == 303
    assert answer(new_browser, new, "new@dakar.example.org") == answer(
        taken_browser, taken, "taken@dakar.example.org"
    )
    [confirmation] = outbox(app, to="new@dakar.example.org")
    assert "Confirmez votre adresse" in confirmation.subject
    [warning] = outbox(app, to="taken@dakar.example.org")
    assert "Someone tried to use your email address" in warning.subject
    assert "Hello Fatou Sow" in warning.body_text
    assert "https://learning.example.org/login" in warning.body_text
    assert fetch(app, User, email="taken@dakar.example.org").name == "Fatou Sow"


def test_email_change_to_a_taken_address_answers_like_a_free_one(app, auth, make):
    make.user(email="taken@dakar.example.org")
    answers = []
    for address in ("free@dakar.example.org", "taken@dakar.example.org"):
        browser = app.test_client()
        user = make.user(name="Awa Diop")
        browser.post("/login", data={"email": user.email, "password": PASSWORD})
        response = browser.post(
            "/account/email", data={"email": address, "current_password": PASSWORD}
        )
        answers.append(answer(browser, response, address, me=user.email))
        notice = outbox(app, to=user.email)[-1]
        assert "A change of email address was requested" in notice.subject
    assert answers[0] == answers[1]
    assert "We have sent a confirmation link to ADDRESS" in answers[0][2]
    assert "/account/email/confirm/" in outbox(app, to="free@dakar.example.org")[-1].body_text
    [warning] = outbox(app, to="taken@dakar.example.org")
    assert "Someone tried to use your email address" in warning.subject
    assert "/account/email/confirm/" not in warning.body_text


def test_link_forms_redirect_and_answer_the_same_for_every_address(app, make):
    make.user(email="known@dakar.example.org", confirmed=False)
    for path in ("/password/forgot", "/confirm"):
        answers = []
        for address in ("known@dakar.example.org", "nobody@dakar.example.org"):
            browser = app.test_client()
            response = browser.post(path, data={"email": address})
            assert response.status_code == 303, path
            answers.append(answer(browser, response, address))
        assert answers[0] == answers[1], path
        assert answers[0][1] == "/check-email"
        assert "ADDRESS" in answers[0][2]
    assert len(outbox(app, to="known@dakar.example.org")) == 2
    assert outbox(app, to="nobody@dakar.example.org") == []


def test_check_email_page_without_a_request_shows_no_address(client):
    page = client.get("/check-email").get_data(as_text=True)
    assert "If you asked for a link, it is on its way to your inbox." in page
