"""`flask clean-up`: each rule deletes what has expired and keeps the rest, at its boundary."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cta_learning.accounts.models import Invitation, LoginThrottle
from cta_learning.community.mailing.models import Subscriber, SubscriberTopic
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import OutboxMessage

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


def _add(app, *rows):
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def _left(app, column) -> set:
    with app.app_context():
        return set(db.session.scalars(select(column)))


def _clean_up(app):
    result = app.test_cli_runner().invoke(args=["clean-up"])
    assert result.exit_code == 0, result.output
    return result.output


def _message(name, status, sent_ago=None, batch=None):
    now = utcnow()
    return OutboxMessage(
        category="test",
        to_address=f"{name}@example.org",
        subject=name,
        body_text="text",
        body_html="<p>text</p>",
        status=status,
        batch=batch,
        created_at=now - timedelta(days=400),
        sent_at=now - sent_ago if sent_ago is not None else None,
    )


def test_login_throttles_untried_for_a_day_are_forgotten(app):
    now = utcnow()
    _add(
        app,
        LoginThrottle(address_hash="old", failed_logins=3, last_attempt_at=now - DAY - MINUTE),
        LoginThrottle(address_hash="recent", failed_logins=3, last_attempt_at=now - DAY + MINUTE),
    )
    assert "1 log-in throttle rows deleted." in _clean_up(app)
    assert _left(app, LoginThrottle.address_hash) == {"recent"}


def test_sent_mail_older_than_the_kept_days_is_deleted_but_campaigns_and_unsent_stay(app):
    keep = timedelta(days=90)
    _add(
        app,
        _message("old", "sent", keep + MINUTE),
        _message("old-event", "sent", keep + MINUTE, batch="event:4"),
        _message("recent", "sent", keep - MINUTE),
        _message("campaign", "sent", keep * 3, batch="campaign:1"),
        _message("queued", "queued"),
        _message("held", "held", batch="campaign:2"),
        _message("failed", "failed"),
    )
    assert "2 sent messages deleted." in _clean_up(app)
    assert _left(app, OutboxMessage.subject) == {"recent", "campaign", "queued", "held", "failed"}


def test_the_kept_days_follow_the_setting(app):
    app.config["MAIL_KEEP_DAYS"] = 7
    _add(app, _message("week", "sent", timedelta(days=7) + MINUTE), _message("day", "sent", DAY))
    _clean_up(app)
    assert _left(app, OutboxMessage.subject) == {"day"}


@pytest.mark.parametrize("value", ["many", 0, -3])
def test_a_bad_number_of_kept_days_is_refused_and_nothing_deleted(app, value):
    app.config["MAIL_KEEP_DAYS"] = value
    _add(app, _message("old", "sent", timedelta(days=400)))
    result = app.test_cli_runner().invoke(args=["clean-up"])
    assert result.exit_code != 0 and "CTA_MAIL_KEEP_DAYS" in result.output
    assert _left(app, OutboxMessage.subject) == {"old"}


def test_invitations_never_accepted_go_a_month_after_they_expire(app, make):
    organisation = make.organisation()
    now, month = utcnow(), timedelta(days=30)

    def invitation(email, expired_ago, **fields):
        return Invitation(
            organisation_id=organisation.id,
            email=email,
            token_hash=email,
            expires_at=now - expired_ago,
            **fields,
        )

    _add(
        app,
        invitation("expired@example.org", month + MINUTE),
        invitation("revoked@example.org", month + MINUTE, revoked_at=now - month * 2),
        invitation("lately@example.org", month - MINUTE),
        invitation("open@example.org", -DAY),
        invitation("accepted@example.org", month * 5, accepted_at=now - month * 6),
    )
    assert "2 expired invitations deleted." in _clean_up(app)
    assert _left(app, Invitation.email) == {
        "lately@example.org",
        "open@example.org",
        "accepted@example.org",
    }


def test_sign_ups_never_confirmed_go_once_their_link_expired(app):
    now = utcnow()

    def subscriber(email, status, expires_ago=None, **fields):
        expires_at = now - expires_ago if expires_ago is not None else None
        return Subscriber(
            email=email,
            status=status,
            confirm_expires_at=expires_at,
            topic_links=[SubscriberTopic(topic="events")],
            **fields,
        )

    _add(
        app,
        subscriber("expired@example.org", "pending", MINUTE),
        subscriber("waiting@example.org", "pending", -MINUTE),
        subscriber("bounced@example.org", "pending", DAY, suppressed_at=now),
        subscriber("member@example.org", "subscribed"),
        # Left the list, then signed up again without confirming: the refusal stays recorded.
        subscriber("left@example.org", "unsubscribed", DAY, unsubscribed_at=now - DAY * 9),
    )
    assert "1 unconfirmed mailing-list sign-ups deleted." in _clean_up(app)
    assert _left(app, Subscriber.email) == {
        "waiting@example.org",
        "bounced@example.org",
        "member@example.org",
        "left@example.org",
    }
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SubscriberTopic)) == 4


def test_nothing_expired_nothing_deleted(app):
    output = _clean_up(app)
    assert output.splitlines() == [
        "0 log-in throttle rows deleted.",
        "0 sent messages deleted.",
        "0 expired invitations deleted.",
        "0 unconfirmed mailing-list sign-ups deleted.",
    ]
