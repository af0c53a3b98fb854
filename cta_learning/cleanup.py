"""`flask clean-up`: delete what has expired, daily (deploy/systemd/cta-learning-clean-up.timer).

Only rows that nothing shows or counts any more go:
- log-in throttle rows of addresses not tried for a day (accounts/login_throttle.FORGET_AFTER);
- sent outbox messages older than CTA_MAIL_KEEP_DAYS (90), except campaigns' messages: a
  campaign's figures (queued, held, sent, failed) are counted from its outbox rows, so they
  stay; messages still queued, held or failed always stay;
- invitations never accepted that expired INVITATION_GRACE ago (until then their link still
  says the invitation has expired rather than that it does not exist); accepted ones stay;
- mailing-list sign-ups never confirmed whose confirmation link has expired (the address
  holds no consent; a new sign-up starts afresh).
Each rule is one function that returns its count; the command commits once at its end.
"""

from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, or_

from cta_learning.accounts import login_throttle
from cta_learning.accounts.models import Invitation
from cta_learning.community.mailing.models import Subscriber, SubscriberStatus
from cta_learning.community.mailing.subscriptions import CAMPAIGN_BATCHES
from cta_learning.database import rows_changed, utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import MessageStatus, OutboxMessage

INVITATION_GRACE = timedelta(days=30)


def delete_sent_mail(now: datetime, keep_days: int) -> int:
    """Delete messages sent more than keep_days ago, except those a campaign counts."""
    return rows_changed(
        delete(OutboxMessage)
        .where(
            OutboxMessage.status == MessageStatus.SENT,
            OutboxMessage.sent_at < now - timedelta(days=keep_days),
            or_(
                OutboxMessage.batch.is_(None),
                OutboxMessage.batch.not_like(CAMPAIGN_BATCHES + "%"),
            ),
        )
        .execution_options(synchronize_session=False)
    )


def delete_expired_invitations(now: datetime) -> int:
    """Delete invitations never accepted whose expiry is INVITATION_GRACE past."""
    return rows_changed(
        delete(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at < now - INVITATION_GRACE)
        .execution_options(synchronize_session=False)
    )


def delete_unconfirmed_subscribers(now: datetime) -> int:
    """Delete mailing-list sign-ups still awaiting confirmation after their link expired."""
    return rows_changed(
        delete(Subscriber)
        .where(
            Subscriber.status == SubscriberStatus.PENDING,
            Subscriber.confirm_expires_at < now,
            Subscriber.suppressed_at.is_(None),  # a bounced address stays refused
        )
        .execution_options(synchronize_session=False)
    )


@click.command("clean-up")
@with_appcontext
def clean_up_command() -> None:
    """Delete what has expired (throttles, old sent mail, invitations, unconfirmed sign-ups)."""
    keep_days = current_app.config["MAIL_KEEP_DAYS"]
    if not isinstance(keep_days, int) or isinstance(keep_days, bool) or keep_days < 1:
        raise click.ClickException(
            f"CTA_MAIL_KEEP_DAYS={keep_days!r}: set a whole number of days, at least 1."
        )
    now = utcnow()
    counts = {
        "log-in throttle rows": login_throttle.forget_idle(now),
        "sent messages": delete_sent_mail(now, keep_days),
        "expired invitations": delete_expired_invitations(now),
        "unconfirmed mailing-list sign-ups": delete_unconfirmed_subscribers(now),
    }
    db.session.commit()
    for what, count in counts.items():
        click.echo(f"{count} {what} deleted.")
