"""Personal API tokens: created and revoked on the account page, stored hashed, scoped,
rate-limited, and how the API tells who calls (token or session, CSRF for session writes)."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from cta_learning.accounts import user_admin_operations
from cta_learning.accounts.models import User
from cta_learning.api.tokens import MAX_LIVE_TOKENS, ApiToken
from cta_learning.audit import AuditEvent
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.api.personal_helpers import api_error, bearer, make_token
from tests.community.events.helpers import make_event
from tests.conftest import PASSWORD, build_app, count, count_queries, fetch
from tests.hostile import nothing_changes, page_text


def create_on_page(client, name="Reporting script", scopes=("read",)):
    return client.post(
        "/account/api-tokens", data={"token-name": name, "token-scopes": list(scopes)}
    )


def shown_secret(response) -> str:
    return re.search(r'value="(cta_[^"]+)"', response.get_data(as_text=True)).group(1)


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(app, client, auth):
    user = auth.login_as(name="Amina Diallo")
    page = client.get("/account")
    assert "API tokens" in page_text(page) and "You have no API token." in page_text(page)
    response = create_on_page(client, "Reporting script", ["read", "registrations"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = shown_secret(response)
    assert "it will not be shown again" in page_text(response)
    token = fetch(app, ApiToken, user_id=user.id)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (token.prefix, token.scopes, token.name) == (
        secret[:8],
        ["read", "registrations"],
        "Reporting script",
    )
    assert secret not in repr(vars(token))
    again = client.get("/account")
    assert secret not in again.get_data(as_text=True)
    assert "Reporting script" in page_text(again) and token.prefix in page_text(again)
    assert fetch(app, AuditEvent, verb="user.api_token_created").details["prefix"] == token.prefix


def test_the_token_opens_the_api_until_it_is_revoked(app, client, auth, make):
    user = auth.login_as(name="Amina Diallo")
    secret = shown_secret(create_on_page(client))
    program = app.test_client()  # no cookie: only the token
    answer = program.get("/api/v1/me", headers=bearer(secret))
    assert answer.status_code == 200
    assert answer.get_json()["name"] == "Amina Diallo"
    token = fetch(app, ApiToken, user_id=user.id)
    other = make.user()
    auth.logout()
    auth.login(other.email)
    with nothing_changes(app):  # someone else's token is not found
        assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    auth.logout()
    auth.login(user.email)
    response = client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 302 and response.location.endswith("/account#api-tokens")
    assert "is revoked: it no longer works" in page_text(client.get("/account"))
    refused = program.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert api_error(refused)["code"] == "unauthorized"
    assert fetch(app, AuditEvent, verb="user.api_token_revoked").subject_id == user.id


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cta_" + "x" * 43,
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-one-of-ours",
        "Bearer cta_" + "é" * 300,
        "cta_" + "x" * 43,
    ],
)
def test_unknown_or_malformed_tokens_are_refused_with_401(app, client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert api_error(response)["message"] == "This API token is not valid or has been revoked."


def test_without_credentials_every_personal_operation_is_401(app, client):
    event = make_event(app)
    for method, path in [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/me/organisation"),
        ("GET", "/api/v1/me/courses"),
        ("GET", "/api/v1/me/registrations?page=zero"),  # credentials come before arguments
        ("POST", f"/api/v1/events/{event.id}/registration"),
        ("DELETE", f"/api/v1/events/{event.id}/registration"),
    ]:
        response = client.open(path, method=method)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="CTA Learning"'
        assert api_error(response)["message"] == "Sign in or send a valid API token."


def test_a_token_does_only_what_its_scopes_allow(app, client, make):
    user = make.user()
    event = make_event(app)
    reader = make_token(app, user, scopes=["read"])
    registrar = make_token(app, user, scopes=["registrations"])
    assert client.get("/api/v1/me", headers=bearer(reader)).status_code == 200
    refused = client.get("/api/v1/me", headers=bearer(registrar))
    assert refused.status_code == 403
    assert "lacks the “read” scope" in api_error(refused)["message"]
    with nothing_changes(app):
        path = f"/api/v1/events/{event.id}/registration"
        assert client.post(path, headers=bearer(reader)).status_code == 403
    assert client.post(path, headers=bearer(registrar)).status_code == 200


def test_a_person_holds_at_most_ten_live_tokens(app, client, auth):
    user = auth.login_as()
    for number in range(MAX_LIVE_TOKENS):
        make_token(app, user, name=f"Token {number}")
    page = page_text(client.get("/account"))
    assert "You have as many tokens as allowed" in page and "Create the token" not in page
    with nothing_changes(app):
        response = create_on_page(client)
        assert response.status_code == 409
        assert "revoke one before creating another" in page_text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"token-name": "", "token-scopes": ["read"]}, "This field is required."),
        ({"token-name": "x" * 81, "token-scopes": ["read"]}, "At most 80 characters."),
        ({"token-name": "Script"}, "Choose what the token may do."),
        (
            {"token-name": "Script", "token-scopes": ["admin"]},
            "is not a valid choice for this field.",
        ),
    ],
)
def test_the_token_form_refuses_bad_input_and_keeps_nothing(app, client, auth, data, message):
    auth.login_as()
    with nothing_changes(app):
        response = client.post("/account/api-tokens", data=data)
        assert response.status_code == 200
        assert message in page_text(response)


def test_closing_an_account_stops_its_tokens(app, client, make):
    user, admin = make.user(), make.user(role="admin")
    secret = make_token(app, user)
    with app.app_context():
        user_admin_operations.set_active(
            db.session.get(User, user.id), False, db.session.get(User, admin.id)
        )
        db.session.commit()
    assert fetch(app, ApiToken, user_id=user.id).revoked_at is not None
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_deleting_an_account_deletes_its_tokens(app, client, auth):
    user = auth.login_as()
    make_token(app, user)
    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert count(app, ApiToken) == 0


def test_last_used_is_written_at_most_once_a_minute(app, client, make):
    user = make.user()
    secret = make_token(app, user)
    assert fetch(app, ApiToken, user_id=user.id).last_used_at is None
    client.get("/api/v1/me", headers=bearer(secret))
    first = fetch(app, ApiToken, user_id=user.id).last_used_at
    assert first is not None
    with count_queries(app) as queries:
        assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    assert not [q for q in queries if q.lstrip().upper().startswith("UPDATE")]
    assert fetch(app, ApiToken, user_id=user.id).last_used_at == first
    with app.app_context():
        db.session.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=2)))
        db.session.commit()
    client.get("/api/v1/me", headers=bearer(secret))
    assert fetch(app, ApiToken, user_id=user.id).last_used_at > first - timedelta(seconds=1)


def test_each_token_and_each_address_s_failures_are_rate_limited(request, tmp_path):
    app, _backend = build_app(
        request,
        tmp_path,
        RATELIMIT_ENABLED=True,
        API_TOKEN_RATE_LIMIT="3 per minute",  # noqa: S106 - a rate limit, not a secret
        API_AUTH_FAILURE_LIMIT="2 per minute",
    )
    try:
        from tests.conftest import Factories

        make = Factories(app)
        client = app.test_client()
        first, second = make_token(app, make.user()), make_token(app, make.user())
        answers = [client.get("/api/v1/me", headers=bearer(first)).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = client.get("/api/v1/me", headers=bearer(first))
        assert api_error(limited)["code"] == "too_many_requests"
        assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200  # its own
        wrong = [
            client.get("/api/v1/me", headers=bearer("cta_wrong")).status_code for _ in range(3)
        ]
        assert wrong == [401, 401, 429]
        # After too many wrong tokens, this address tries no more, even a right one.
        assert client.get("/api/v1/me", headers=bearer(second)).status_code == 429
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _csrf_token(client) -> str:
    page = client.get("/account").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_session_writes_need_the_csrf_header_and_token_writes_do_not(request, tmp_path):
    app, _backend = build_app(request, tmp_path, WTF_CSRF_ENABLED=True)
    try:
        from tests.conftest import Factories

        make = Factories(app)
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"  # the session cookie is Secure
        client.environ_base["HTTP_REFERER"] = "https://localhost/account"  # as a browser sends
        user = make.user()
        login_page = client.get("/login").get_data(as_text=True)
        login_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
        client.post(
            "/login",
            data={"csrf_token": login_token.group(1), "email": user.email, "password": PASSWORD},
        )
        event = make_event(app)
        path = f"/api/v1/events/{event.id}/registration"
        assert client.get("/api/v1/me").status_code == 200  # reads need no CSRF token
        with nothing_changes(app):
            refused = client.post(path)
            assert refused.status_code == 400
            assert "security token" in api_error(refused)["message"]
            assert client.post(path, headers={"X-CSRFToken": "forged"}).status_code == 400
        answer = client.post(path, headers={"X-CSRFToken": _csrf_token(client)})
        assert answer.status_code == 200 and answer.get_json()["status"] == "confirmed"
        other = make.user()
        program = app.test_client()
        assert program.post(path, headers=bearer(make_token(app, other))).status_code == 200
        with app.app_context():
            holders = db.session.scalars(select(ApiToken.user_id)).all()
        assert holders == [other.id]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_data_export_lists_tokens_without_their_secrets(app, client, auth):
    user = auth.login_as()
    secret = make_token(app, user, scopes=["read"], name="Reporting script")
    exported = client.get("/account/export")
    assert secret not in exported.get_data(as_text=True)
    (token,) = exported.get_json()["api_tokens"]
    assert (token["name"], token["prefix"], token["scopes"]) == (
        "Reporting script",
        secret[:8],
        ["read"],
    )
