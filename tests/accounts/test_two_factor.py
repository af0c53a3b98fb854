"""Two-step sign-in: enrolment, the code after the password, recovery codes, limits, staff
pages and fresh authentication before sensitive changes."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from cta_learning.accounts import two_factor
from cta_learning.accounts.models import RecoveryCode, User
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.conftest import PASSWORD, TOTP_SECRET, build_app, count, fetch
from tests.hostile import nothing_changes, page_text
from tests.test_access import ADMIN, ORGANISER, POST_DATA, TABLE
from tests.test_access import world as world  # the fixture, re-exported for the tests below

WRONG = "Too many wrong codes"


def code(step_offset: int = 0, secret: str = TOTP_SECRET) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + step_offset * totp.interval)


def wrong_code() -> str:
    """Six digits that none of the accepted codes (previous, current, next) is."""
    accepted = {code(-1), code(), code(1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def enable(app, user, with_codes: bool = False) -> list[str]:
    """Turn two-step on for `user` with TOTP_SECRET; its recovery codes if asked."""
    with app.app_context():
        person = db.session.get(User, user.id)
        person.totp_secret = two_factor.encrypt_secret(TOTP_SECRET)
        person.totp_enabled_at = utcnow()
        codes = two_factor.new_recovery_codes(person) if with_codes else []
        db.session.commit()
        return codes


def password_step(client, email: str, **extra):
    return client.post("/login", data={"email": email, "password": PASSWORD, **extra})


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def test_enrolment_turns_on_only_with_a_right_code(app, client, auth):
    user = auth.login_as()
    response = client.post("/account/two-step/start")
    assert response.location == "/account/two-step/confirm"
    page = client.get("/account/two-step/confirm")
    assert page.headers["Cache-Control"] == "no-store"
    text = page_text(page)
    assert 'src="data:image/svg+xml' in text  # the QR code, drawn on the server
    with app.app_context():
        secret = two_factor.secret_of(db.session.get(User, user.id))
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in text  # for typing it in
    assert fetch(app, User, id=user.id).totp_secret != secret  # stored encrypted

    refused = client.post("/account/two-step/confirm", data={"code": wrong_code()})
    assert "This code is not right" in page_text(refused)
    assert fetch(app, User, id=user.id).totp_enabled_at is None

    shown = client.post("/account/two-step/confirm", data={"code": code(secret=secret)})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert fetch(app, User, id=user.id).totp_enabled_at is not None
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not set(hashes) & {c.replace("-", "") for c in codes}


def test_login_needs_the_code_after_the_password(app, client, make):
    user = make.user(two_step=True)
    enable(app, user)
    response = password_step(client, user.email, remember="y")
    assert response.location == "/login/verify"
    assert not signed_in(client)
    assert fetch(app, User, id=user.id).last_login_at is None

    refused = client.post("/login/verify", data={"code": wrong_code()})
    assert "This code is not right" in page_text(refused)
    assert not signed_in(client)

    done = client.post("/login/verify", data={"code": code()})
    assert done.location == "/dashboard"
    assert client.get_cookie("cta_remember") is not None  # "remember me" carried over
    assert signed_in(client)


def test_login_keeps_the_page_asked_for(app, client, make):
    user = make.user()
    enable(app, user)
    client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert client.post("/login/verify", data={"code": code()}).location == "/account"


def test_pending_login_expires(app, client, make):
    user = make.user()
    enable(app, user)
    password_step(client, user.email)
    with client.session_transaction() as session:
        pending = session[two_factor.PENDING_KEY]
        session[two_factor.PENDING_KEY] = {**pending, "until": int(time.time()) - 1}
    assert client.post("/login/verify", data={"code": code()}).location == "/login"
    assert not signed_in(client)


def test_replayed_code_is_refused(app, client, make, auth):
    user = make.user()
    enable(app, user)
    password_step(client, user.email)
    used = code()
    assert client.post("/login/verify", data={"code": used}).location == "/dashboard"
    auth.logout()
    password_step(client, user.email)
    refused = client.post("/login/verify", data={"code": used})
    assert "already used" in page_text(refused)
    assert not signed_in(client)


def test_recovery_code_works_once(app, client, make, auth):
    user = make.user()
    codes = enable(app, user, with_codes=True)
    password_step(client, user.email)
    typed = codes[0].upper().replace("-", " ")  # case, spaces and dashes do not matter
    assert client.post("/login/verify", data={"code": typed}).location == "/dashboard"
    auth.logout()
    password_step(client, user.email)
    assert "already used" in page_text(client.post("/login/verify", data={"code": codes[0]}))
    assert count(app, RecoveryCode, user_id=user.id, used_at=None) == 9


def test_new_recovery_codes_replace_the_old_ones(app, client, make, auth):
    user = make.user()
    old = enable(app, user, with_codes=True)
    auth.login(user.email)
    shown = client.post("/account/two-step/recovery-codes").get_data(as_text=True)
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown)
    assert len(new) == 10 and not set(new) & set(old)
    auth.logout()
    password_step(client, user.email)
    assert "not right" in page_text(client.post("/login/verify", data={"code": old[1]}))
    assert client.post("/login/verify", data={"code": new[1]}).location == "/dashboard"


def test_five_wrong_codes_drop_the_pending_login_then_codes_wait(app, client, make):
    user = make.user()
    enable(app, user)
    password_step(client, user.email)
    for _ in range(4):
        assert client.post("/login/verify", data={"code": wrong_code()}).status_code == 200
    fifth = client.post("/login/verify", data={"code": wrong_code()})
    assert fifth.location == "/login"
    assert client.get("/login/verify").location == "/login"  # the pending login is gone
    assert fetch(app, User, id=user.id).totp_failures == 5

    # Even with the password again, the right code waits (a new cookie does not reset the count).
    password_step(client, user.email)
    waiting = client.post("/login/verify", data={"code": code()}, follow_redirects=True)
    assert WRONG in page_text(waiting) and not signed_in(client)

    with app.app_context():  # the delay has passed
        db.session.get(User, user.id).totp_failed_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
    password_step(client, user.email)
    assert client.post("/login/verify", data={"code": code()}).location == "/dashboard"
    assert fetch(app, User, id=user.id).totp_failures == 0


def test_code_verification_is_rate_limited(request, tmp_path):
    app, _ = build_app(
        request, tmp_path, RATELIMIT_ENABLED=True, TWO_FACTOR_RATE_LIMIT="3 per minute"
    )
    client = app.test_client()
    statuses = [client.post("/login/verify", data={"code": "1"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_a_new_password_ends_the_pending_login(app, client, make):
    user = make.user()
    enable(app, user)
    password_step(client, user.email)
    with app.app_context():
        db.session.get(User, user.id).session_token = "changed-by-a-password-reset"
        db.session.commit()
    assert client.post("/login/verify", data={"code": code()}).location == "/login"


def test_members_may_turn_two_step_off(app, client, make, auth):
    user = make.user()
    enable(app, user, with_codes=True)
    auth.login(user.email)
    assert client.post("/account/two-step/disable").location == "/account/two-step"
    saved = fetch(app, User, id=user.id)
    assert saved.totp_enabled_at is None and saved.totp_secret is None
    assert count(app, RecoveryCode, user_id=user.id) == 0
    auth.logout()
    assert password_step(client, user.email).location == "/dashboard"


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_staff_cannot_turn_two_step_off(app, client, auth, role):
    user = auth.login_as(role)
    response = client.post("/account/two-step/disable", follow_redirects=True)
    assert "Organisers and admins keep two-step sign-in on." in page_text(response)
    assert fetch(app, User, id=user.id).totp_enabled_at is not None


# Every staff page of the access table, for the least role that may open it.
STAFF_ROWS = [
    (method, path, ORGANISER if organiser not in (403, "login") else ADMIN)
    for method, path, *outcomes in TABLE
    if path.startswith(("/admin/", "/manage/"))
    for organiser in [outcomes[4]]
]


@pytest.mark.parametrize(
    ("method", "path", "role"),
    STAFF_ROWS,
    ids=[f"{method} {path} as {role}" for method, path, role in STAFF_ROWS],
)
def test_staff_without_two_step_are_sent_to_set_it_up(app, client, world, method, path, role):
    with app.app_context():
        person = db.session.get(User, world.people[role].id)
        person.totp_enabled_at = person.totp_secret = None
        db.session.commit()
    world.sign_in(role)
    with nothing_changes(app):
        response = client.open(
            path.format(**world.ids), method=method, data=POST_DATA.get(path, {})
        )
    assert response.status_code == 302 and response.location == "/account/two-step"
    assert "Set up two-step sign-in to open the staff pages" in page_text(
        client.get("/account/two-step")
    )


def test_staff_set_up_two_step_then_open_staff_pages(app, client, make, auth):
    admin = make.user(role="admin", two_step=False)
    auth.login(admin.email)
    assert client.get("/admin/users").location == "/account/two-step"
    client.post("/account/two-step/start")
    with app.app_context():
        secret = two_factor.secret_of(db.session.get(User, admin.id))
    client.post("/account/two-step/confirm", data={"code": code(secret=secret)})
    assert client.get("/admin/users").status_code == 200


def _go_stale(client) -> None:
    with client.session_transaction() as session:
        session[two_factor.FRESH_KEY] -= two_factor.FRESH_SECONDS + 1


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/email", {"email": "new@example.org", "current_password": PASSWORD}),
        (
            "/account/password",
            {
                "current_password": PASSWORD,
                "password": "a new password!",
                "confirm": "a new password!",
            },
        ),
        ("/account/two-step/start", {}),
    ],
)
def test_sensitive_changes_need_a_fresh_password(app, client, auth, path, data):
    auth.login_as()
    _go_stale(client)
    with nothing_changes(app):
        response = client.post(path, data=data)
    assert response.location.startswith("/reauth?next=")
    wrong = client.post(response.location, data={"password": "not the password"})
    assert "This is not your current password." in page_text(wrong)
    back = client.post(response.location, data={"password": PASSWORD})
    assert back.location == (path if path != "/account/two-step/start" else "/dashboard")
    assert not (client.post(path, data=data).location or "").startswith("/reauth")


@pytest.mark.parametrize("action", ["role", "active"])
def test_role_changes_and_deactivation_need_a_fresh_code(app, client, make, auth, action):
    admin = auth.login_as("admin")
    target = make.user()
    _go_stale(client)
    url = f"/admin/users/{target.id}/{action}"
    with nothing_changes(app):
        response = client.post(
            url, data={"role": "organiser"}, headers={"Referer": "http://localhost/admin/users"}
        )
    assert response.location == "/reauth?next=/admin/users"
    form = page_text(client.get(response.location))
    assert "enter the code that your authenticator app shows" in form
    refused = client.post(response.location, data={"password": PASSWORD})  # a code is needed
    assert "This code is not right" in page_text(refused)
    back = client.post(response.location, data={"code": auth.code_for(admin.email)})
    assert back.location == "/admin/users"
    client.post(url, data={"role": "organiser"})
    saved = fetch(app, User, id=target.id)
    assert (saved.role, saved.is_active) == (
        ("organiser", True) if action == "role" else ("member", False)
    )


def test_secret_is_unreadable_with_another_secret_key(app, make):
    user = make.user()
    enable(app, user)
    with app.app_context():
        person = db.session.get(User, user.id)
        assert two_factor.secret_of(person) == TOTP_SECRET
        app.config["SECRET_KEY"] = "another key"
        assert two_factor.secret_of(person) is None


def test_cli_prints_the_code_in_development_only(app, make):
    user = make.user(role="admin")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "totp-code", user.email])
    assert result.exit_code == 0 and result.output.strip() in (code(-1), code(), code(1))
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["users", "totp-code", user.email])
    assert result.exit_code != 0 and "never printed in production" in result.output


def test_development_secret_is_refused_in_production(app, make):
    user = make.user(role="admin", two_step=False)
    organiser = make.user(role="organiser", two_step=False)
    with app.app_context():
        person = db.session.get(User, user.id)
        two_factor.enable_development_secret(person)
        db.session.commit()
        now = code(secret=two_factor.DEVELOPMENT_SECRET)
        app.config["ENV_NAME"] = "production"
        assert not two_factor.check_code(person, now)
        with pytest.raises(two_factor.TwoFactorError):
            two_factor.enable_development_secret(db.session.get(User, organiser.id))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1" * 33, "At most 32 characters."),
        ("", "Enter the code."),
        ("١٢٣٤٥٦", "This code is not right"),  # digits of another script
        ("12\n3456", "This field must fit on one line."),
        ("12\x003456", "This field contains characters that are not allowed."),
    ],
)
def test_hostile_codes_get_a_message(app, client, make, typed, message):
    user = make.user()
    enable(app, user)
    password_step(client, user.email)
    response = client.post("/login/verify", data={"code": typed})
    assert response.status_code == 200 and message in page_text(response)
    assert not signed_in(client)


def test_staff_powers_checked_outside_staff_pages_also_wait_for_two_step(app, client, auth):
    from tests.community.events.helpers import make_event

    organiser = auth.login_as("organiser", two_step=False)
    draft = make_event(app, organiser=organiser, status="draft", published_at=None)
    assert client.get(f"/events/{draft.id}").status_code == 404  # only its manager sees a draft
    page = page_text(client.get("/dashboard"))
    assert 'href="/manage/events/"' in page  # the way to the set-up page stays in view
    enable(app, organiser)
    assert client.get(f"/events/{draft.id}").status_code == 200
