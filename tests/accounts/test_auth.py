"""Sign-up, confirmation, log in and out, password reset."""

import re

from cta_learning.accounts.models import User
from tests.conftest import PASSWORD, count, fetch, outbox


def signup(client, **overrides):
    data = {
        "name": "Awa Diop",
        "email": "awa@dakar.example.org",
        "password": "a long password",
        "confirm": "a long password",
        "locale": "fr",
        "timezone": "Africa/Dakar",
    }
    return client.post("/signup", data={**data, **overrides})


def link_in(message, path: str) -> str:
    match = re.search(rf"https://learning\.example\.org({path}[^\s<>]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_signup_sends_a_confirmation_link_in_the_chosen_language(app, client):
    response = signup(client)
    assert response.status_code == 303 and response.headers["Location"] == "/check-email"
    assert "awa@dakar.example.org" in client.get("/check-email").get_data(as_text=True)
    user = fetch(app, User, email="awa@dakar.example.org")
    assert user.email_confirmed_at is None and user.timezone == "Africa/Dakar"
    [message] = outbox(app)
    assert message.to_address == "awa@dakar.example.org"
    assert message.locale == "fr"
    assert "Confirmez votre adresse" in message.subject
    assert "/confirm/" in message.body_html


def test_email_links_use_the_public_url_not_the_host_header(app, client):
    client.post(
        "/signup",
        base_url="http://evil.example.com",
        data={
            "name": "A",
            "email": "a@b.example.org",
            "password": "a long password",
            "confirm": "a long password",
            "locale": "en",
            "timezone": "UTC",
        },
    )
    [message] = outbox(app)
    assert "evil.example.com" not in message.body_text
    assert "https://learning.example.org/confirm/" in message.body_text


def test_signup_twice_with_the_same_address_creates_nothing_and_tells_the_owner(app, client, make):
    make.user(email="awa@dakar.example.org")
    response = signup(client, email="AWA@dakar.example.org ")
    assert response.headers["Location"] == "/check-email"
    assert count(app, User) == 1
    [message] = outbox(app)
    assert message.to_address == "awa@dakar.example.org"
    assert "Someone tried to use your email address" in message.subject


def test_confirmation_link_confirms_then_login_works(app, client):
    signup(client)
    link = link_in(outbox(app)[0], "/confirm/")
    assert client.get(link).headers["Location"].endswith("/login")
    assert fetch(app, User, email="awa@dakar.example.org").email_confirmed_at is not None
    response = client.post(
        "/login", data={"email": "awa@dakar.example.org", "password": "a long password"}
    )
    assert response.headers["Location"].endswith("/dashboard")
    assert "Awa Diop" in client.get("/dashboard").get_data(as_text=True)


def test_tampered_or_expired_confirmation_link_is_refused(app, client):
    signup(client)
    link = link_in(outbox(app)[0], "/confirm/")
    assert client.get(link[:-3] + "abc").headers["Location"].endswith("/confirm")
    app.config["EMAIL_CONFIRMATION_MAX_AGE"] = -1
    assert client.get(link).headers["Location"].endswith("/confirm")
    assert fetch(app, User, email="awa@dakar.example.org").email_confirmed_at is None


def test_unconfirmed_account_cannot_log_in(client, make):
    user = make.user(confirmed=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/confirm")
    assert client.get("/dashboard").status_code == 302


def test_resend_confirmation_sends_a_new_link_only_to_unconfirmed(app, client, make):
    pending = make.user(confirmed=False)
    done = make.user()
    for email in (pending.email, done.email, "nobody@example.org"):
        response = client.post("/confirm", data={"email": email})
        assert response.status_code == 303 and response.headers["Location"] == "/check-email"
    assert [m.to_address for m in outbox(app)] == [pending.email]


def test_wrong_password_gives_one_message_for_both_cases(client, make):
    user = make.user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "x@y.example.org", "password": "whatever1"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "The email address or the password is not right" in response.get_data(as_text=True)


def test_deactivated_account_cannot_log_in(client, make):
    user = make.user(is_active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/dashboard").status_code == 302


def test_login_redirects_to_next_only_on_this_site(client, make):
    user = make.user()
    for target, expected in [
        ("/account", "/account"),
        ("https://evil.example.com/", "/dashboard"),
        ("//evil.example.com/", "/dashboard"),
        ("/\\evil.example.com", "/dashboard"),
    ]:
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": PASSWORD},
        )
        assert response.headers["Location"] == expected, target
        client.post("/logout")


def test_protected_page_sends_visitors_to_login_and_back(client, make):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login?next=/account" in response.headers["Location"]


def test_logout_invalidates_every_session_of_the_user(client, app, make):
    user = make.user()
    other_device = app.test_client()
    for browser in (client, other_device):
        browser.post("/login", data={"email": user.email, "password": PASSWORD})
        assert browser.get("/dashboard").status_code == 200
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302
    assert other_device.get("/dashboard").status_code == 302


def test_remember_me_cookie_is_also_invalidated_by_logout(client, app, make):
    user = make.user()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("cta_remember")
    assert remember is not None and remember.http_only
    thief = app.test_client()
    thief.set_cookie("cta_remember", remember.value)
    assert thief.get("/dashboard").status_code == 200
    client.post("/logout")
    thief.delete_cookie("cta_session")
    assert thief.get("/dashboard").status_code == 302


def test_password_reset_flow(app, client, make):
    user = make.user()
    client.post("/password/forgot", data={"email": user.email})
    link = link_in(outbox(app, to=user.email)[0], "/password/reset/")
    assert client.get(link).status_code == 200
    response = client.post(
        link, data={"password": "a brand new password", "confirm": "a brand new password"}
    )
    assert response.headers["Location"].endswith("/login")
    assert "Your password was changed" in outbox(app, to=user.email)[-1].subject
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    )
    assert (
        client.post(
            "/login", data={"email": user.email, "password": "a brand new password"}
        ).status_code
        == 302
    )


def test_reset_link_works_once(app, client, make):
    user = make.user()
    client.post("/password/forgot", data={"email": user.email})
    link = link_in(outbox(app, to=user.email)[0], "/password/reset/")
    client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    again = client.post(
        link, data={"password": "another new password", "confirm": "another new password"}
    )
    assert again.headers["Location"].endswith("/password/forgot")


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(app, client):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "If an account uses nobody@example.org" in page
    assert outbox(app) == []


def test_login_is_rate_limited(tmp_path, request):
    from tests.conftest import build_app

    app, _ = build_app(request, tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [
        client.post("/login", data={"email": "a@b.example.org", "password": "x" * 10}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in client.post("/login", data={}).get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only attempts are limited


def test_forms_refuse_posts_without_csrf_token(tmp_path, request, make):
    from tests.conftest import build_app

    app, _ = build_app(request, tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post(
        "/signup",
        data={
            "name": "A",
            "email": "a@b.example.org",
            "password": "a long password",
            "confirm": "a long password",
            "locale": "en",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert count(app, User) == 0


def test_shared_login_page_gives_each_visitor_a_working_token(tmp_path, request):
    from tests.conftest import build_app

    app, _ = build_app(request, tmp_path, WTF_CSRF_ENABLED=True)
    first, second = app.test_client(), app.test_client()
    tokens = []
    for browser in (first, second):
        page = browser.get("/login").get_data(as_text=True)
        tokens.append(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1))
    assert tokens[0] != tokens[1]
    response = second.post(
        "/login",
        headers={"Referer": "https://localhost/login"},
        data={"csrf_token": tokens[1], "email": "x@y.example.org", "password": "whatever1"},
    )
    assert response.status_code == 200  # the form was processed: no CSRF error
    assert "The email address or the password is not right" in response.get_data(as_text=True)
