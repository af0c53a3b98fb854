"""The signed-in person's account: settings, language, email, password, export, deletion."""

import json

from cta_learning.accounts.models import Membership, User
from cta_learning.audit import AuditEvent
from tests.accounts.test_auth import link_in
from tests.conftest import PASSWORD, count, fetch, outbox


def test_settings_change_name_language_and_time_zone(app, client, auth):
    user = auth.login_as()
    response = client.post(
        "/account", data={"name": "Fatou Sow", "locale": "es", "timezone": "America/Bogota"}
    )
    assert response.headers["Location"].endswith("/account")
    saved = fetch(app, User, id=user.id)
    assert (saved.name, saved.locale, saved.timezone) == ("Fatou Sow", "es", "America/Bogota")
    assert '<html lang="es">' in client.get("/account").get_data(as_text=True)


def test_language_switcher_saves_the_setting_of_a_signed_in_person(app, client, auth):
    user = auth.login_as()
    response = client.post("/account/language", data={"lang": "fr", "next": "/faq"})
    assert response.headers["Location"] == "/faq"
    assert fetch(app, User, id=user.id).locale == "fr"
    # the setting wins over ?lang= and Accept-Language
    page = client.get("/faq?lang=es", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="fr">' in page


def test_visitor_language_follows_lang_then_cookie_then_accept_language(client):
    assert '<html lang="es">' in client.get(
        "/", headers={"Accept-Language": "es-CO,es;q=0.9"}
    ).get_data(as_text=True)
    response = client.get("/?lang=fr")
    assert '<html lang="fr">' in response.get_data(as_text=True)
    assert client.get_cookie("cta_lang").value == "fr"
    assert '<html lang="fr">' in client.get("/faq").get_data(as_text=True)


def test_language_switcher_refuses_an_unsafe_next(client, auth):
    auth.login_as()
    response = client.post(
        "/account/language", data={"lang": "fr", "next": "https://evil.example.com"}
    )
    assert response.headers["Location"] == "/"


def test_change_email_needs_the_password_and_a_confirmation(app, client, auth):
    user = auth.login_as()
    wrong = client.post(
        "/account/email",
        data={"email": "new@city.example.org", "current_password": "not my password"},
    )
    assert "This is not your current password" in wrong.get_data(as_text=True)
    assert outbox(app) == []
    client.post(
        "/account/email", data={"email": "New@City.example.org", "current_password": PASSWORD}
    )
    assert fetch(app, User, id=user.id).email == user.email  # not yet
    assert "A change of email address was requested" in outbox(app, to=user.email)[0].subject
    link = link_in(outbox(app, to="new@city.example.org")[0], "/account/email/confirm/")
    assert client.get(link).headers["Location"].endswith("/login")
    assert fetch(app, User, id=user.id).email == "new@city.example.org"
    assert client.get(link).headers["Location"] == "/"  # used: refused
    assert auth.login("new@city.example.org").status_code == 302


def test_change_email_to_a_taken_address_changes_nothing_and_tells_its_owner(
    app, client, auth, make
):
    other = make.user()
    user = auth.login_as()
    response = client.post(
        "/account/email", data={"email": other.email, "current_password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/account")
    assert fetch(app, User, id=user.id).email == user.email
    assert "Someone tried to use your email address" in outbox(app, to=other.email)[0].subject
    assert all("/account/email/confirm/" not in m.body_text for m in outbox(app))


def test_change_password_keeps_this_session_and_closes_the_others(app, client, auth):
    user = auth.login_as()
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "the new password",
            "confirm": "the new password",
        },
    )
    assert response.headers["Location"].endswith("/account")
    assert client.get("/dashboard").status_code == 200
    assert other_device.get("/dashboard").status_code == 302
    assert "Your password was changed" in outbox(app, to=user.email)[-1].subject


def test_export_gives_the_persons_data_as_json(client, auth, make):
    user, organisation = make.member()
    auth.login(user.email)
    response = client.get("/account/export")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["email"] == user.email
    assert data["organisation"]["name"] == organisation.name


def test_delete_account_removes_the_person_and_hands_over(app, client, auth, make):
    owner, organisation = make.member()
    colleague, _ = make.member(organisation, role="member")
    auth.login(owner.email)
    refused = client.post("/account/delete", data={"current_password": PASSWORD})
    assert "Tick the box to confirm" in refused.get_data(as_text=True)
    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.headers["Location"] == "/"
    assert fetch(app, User, id=owner.id) is None
    assert fetch(app, Membership, user_id=colleague.id).role == "owner"
    assert count(app, AuditEvent, verb="user.deleted") == 1
    assert auth.login(owner.email).status_code == 200  # cannot log in any more
