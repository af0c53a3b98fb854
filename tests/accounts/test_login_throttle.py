"""The per-address log-in throttle (issue 12, item 6): it holds across addresses of origin,
workers and servers, never locks the owner out of a reset, and tells the owner once."""

import threading
from datetime import timedelta

from sqlalchemy import select, update

from cta_learning.accounts import login_throttle
from cta_learning.accounts.models import LoginThrottle
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.accounts.test_auth import link_in
from tests.conftest import PASSWORD, outbox

WRONG = "not the password"
NEW_PASSWORD = {"password": "a brand new password", "confirm": "a brand new password"}


def attempt(client, email: str, password: str, number: int = 0):
    """A log-in from its own address of origin (the IP limit is off in tests anyway)."""
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": f"203.0.113.{number % 250}"},
    )


def end_the_block(app, email: str) -> None:
    """Move time on: the block ended a second ago."""
    with app.app_context():
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.address_hash == login_throttle.address_key(email))
            .values(blocked_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def throttle_row(app, email: str) -> LoginThrottle:
    with app.app_context():
        row = db.session.get(LoginThrottle, login_throttle.address_key(email))
        db.session.expunge(row)
        return row


def test_wrong_passwords_from_many_addresses_are_checked_five_times_then_refused(app, client, make):
    user = make.user()
    statuses = [attempt(client, user.email, WRONG, n).status_code for n in range(100)]
    assert statuses == [200] * 5 + [429] * 95
    blocked = attempt(client, user.email, PASSWORD)
    assert blocked.status_code == 429  # even the right password waits
    assert int(blocked.headers["Retry-After"]) <= 60
    text = blocked.get_data(as_text=True)
    assert "Too many failed attempts to log in with this address. Try again in" in text
    assert "reset your password by email: that works at once" in text
    assert client.get("/dashboard").status_code == 302


def test_unknown_addresses_get_the_same_answers(app, client, make):
    user = make.user()
    known = [attempt(client, user.email, WRONG, n) for n in range(7)]
    unknown = [attempt(client, "nobody@dakar.example.org", WRONG, n) for n in range(7)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert known[-1].get_data(as_text=True).replace(user.email, "X") == unknown[-1].get_data(
        as_text=True
    ).replace("nobody@dakar.example.org", "X")


def test_after_the_block_the_right_password_works_and_clears_the_count(app, client, make):
    user = make.user()
    for n in range(5):
        attempt(client, user.email, WRONG, n)
    assert attempt(client, user.email, PASSWORD).status_code == 429
    end_the_block(app, user.email)
    assert attempt(client, user.email, PASSWORD).headers["Location"] == "/dashboard"
    with app.app_context():
        assert db.session.get(LoginThrottle, login_throttle.address_key(user.email)) is None


def test_addresses_not_tried_for_a_day_are_forgotten(app, client):
    for n in range(3):
        attempt(client, f"stranger{n}@example.org", WRONG, n)
    with app.app_context():
        db.session.execute(
            update(LoginThrottle)
            .where(
                LoginThrottle.address_hash != login_throttle.address_key("stranger2@example.org")
            )
            .values(last_attempt_at=utcnow() - login_throttle.FORGET_AFTER - timedelta(minutes=1))
        )
        db.session.commit()
    attempt(client, "newcomer@example.org", WRONG)  # a new row: the forgotten ones go
    with app.app_context():
        kept = set(db.session.scalars(select(LoginThrottle.address_hash)))
        expected = {"stranger2@example.org", "newcomer@example.org"}
        assert kept == {login_throttle.address_key(email) for email in expected}


def test_each_further_failure_doubles_the_wait_up_to_an_hour(app, client, make):
    user = make.user()
    waits = []
    for n in range(12):
        attempt(client, user.email, WRONG, n)
        row = throttle_row(app, user.email)
        if row.blocked_until is not None:
            waits.append(round((row.blocked_until - utcnow()).total_seconds() / 60))
            end_the_block(app, user.email)
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_password_reset_works_while_blocked_and_clears_the_block(app, client, make):
    user = make.user()
    for n in range(6):
        attempt(client, user.email, WRONG, n)
    client.post("/password/forgot", data={"email": user.email})
    reset = link_in(outbox(app, to=user.email)[-1], "/password/reset/")
    assert client.post(reset, data=NEW_PASSWORD).headers["Location"] == "/login"
    response = attempt(client, user.email, "a brand new password")
    assert response.headers["Location"] == "/dashboard"


def test_the_owner_is_told_once_with_a_working_reset_link(app, client, make):
    user = make.user()
    for n in range(30):
        attempt(client, user.email, WRONG, n)
        end_the_block(app, user.email)
    [alert] = [m for m in outbox(app, to=user.email) if "log in to your account" in m.subject]
    assert "Someone tried to log in to your account" in alert.subject
    assert throttle_row(app, user.email).alerted_at is not None
    reset = link_in(alert, "/password/reset/")
    assert client.post(reset, data=NEW_PASSWORD).headers["Location"] == "/login"
    assert attempt(client, user.email, "a brand new password").status_code == 302


def test_no_alert_for_an_unknown_address(app, client):
    for n in range(8):
        attempt(client, "nobody@dakar.example.org", WRONG, n)
        end_the_block(app, "nobody@dakar.example.org")
    assert outbox(app) == []


def test_workers_trying_at_once_check_at_most_five_passwords(app, make):
    """Twelve workers claim attempts on one address at the same moment: the conditional
    UPDATE lets five through before the block, never more."""
    user = make.user()
    start, allowed = threading.Barrier(12), []

    def worker():
        with app.app_context():
            start.wait()
            for _ in range(3):
                if login_throttle.claim_attempt(user.email) is None:
                    allowed.append(1)
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 5
    with app.app_context():
        row = db.session.scalar(select(LoginThrottle))
        assert row.failed_logins == 5 and row.blocked_until > utcnow()
