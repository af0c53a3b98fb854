"""The header and footer kept once per language and kind of person: never another's values."""

import re

from cta_learning import create_app
from cta_learning.extensions import db
from tests.conftest import TEST_CONFIG, Auth

TOKENS = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _header(page: str) -> str:
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def test_each_signed_in_person_gets_their_own_token_in_the_kept_header(app, make):
    # Tokens checked, as in production; served over http, so the session cookie comes back.
    settings = {"WTF_CSRF_ENABLED": True, "PUBLIC_URL": "http://localhost"}
    checked = create_app(
        {
            **TEST_CONFIG,
            **settings,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    tokens = []
    for number in range(2):
        user = make.user(email=f"person{number}@example.org")
        client = checked.test_client()
        form = client.get("/login").get_data(as_text=True)
        login_token = TOKENS.search(form)[1]
        client.post(
            "/login",
            data={
                "email": user.email,
                "password": "correct horse battery",
                "csrf_token": login_token,
            },
        )
        header = _header(client.get("/dashboard").get_data(as_text=True))
        found = set(TOKENS.findall(header))
        assert len(found) == 1  # the log-out and language forms carry the same, fresh one
        tokens.append(found.pop())
        assert client.post("/logout", data={"csrf_token": tokens[-1]}).status_code == 302
    assert tokens[0] != tokens[1]
    with checked.app_context():
        db.engine.dispose()


def test_the_language_switch_leads_back_to_this_page(client, auth):
    auth.login_as()
    header = _header(client.get("/events/?kind=webinar").get_data(as_text=True))
    assert 'name="next" value="/events/?kind=webinar"' in header
    header = _header(client.get("/actions/?page=2").get_data(as_text=True))
    assert 'name="next" value="/actions/?page=2"' in header


def test_visitors_language_links_point_at_the_page_they_are_on(app):
    visitor = app.test_client()
    header = _header(visitor.get("/events/?anything=1").get_data(as_text=True))
    assert 'href="/events/?anything=1&amp;lang=fr"' in header
    header = _header(visitor.get("/faq").get_data(as_text=True))
    assert 'href="/faq?lang=es"' in header


def test_staff_links_only_for_staff_whoever_came_first(app, make, auth, client):
    auth.login_as(role="member")
    assert "Run events" not in _header(client.get("/dashboard").get_data(as_text=True))
    organiser = app.test_client()
    user = make.user(role="organiser", email="organiser@example.org")
    assert Auth(organiser, make).login(user.email).status_code == 302  # with the two-step code
    assert "Run events" in _header(organiser.get("/faq").get_data(as_text=True))
    assert "Run events" not in _header(client.get("/faq").get_data(as_text=True))


def test_the_header_follows_the_language_of_each_request(client, auth):
    auth.login_as(locale="fr")
    assert "Se déconnecter" in _header(client.get("/dashboard").get_data(as_text=True))
    client.post("/account/language", data={"lang": "es", "next": "/dashboard"})
    header = _header(client.get("/dashboard").get_data(as_text=True))
    assert "Cerrar sesión" in header and "Se déconnecter" not in header
