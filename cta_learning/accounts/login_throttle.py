"""The per-address log-in throttle, kept in the database so it holds across workers and servers.

After FREE_FAILURES failed log-ins in a row for an address, each further attempt waits a
growing delay (1, 2, 4 … minutes, at most an hour), during which no password is checked for
it. Unknown addresses are throttled the same way, so a block reveals no account. A password
reset by email works at any time and clears the count; so does a successful log-in. An
address forgotten for FORGET_AFTER is dropped, so unknown addresses do not fill the table.

Every attempt claims its turn before the password is checked, with one conditional UPDATE
(compare-and-set on the count, refused while blocked) that also sets the next block: two
workers trying the same address at once cannot both slip through.
"""

import hashlib
import hmac
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from cta_learning.accounts.models import LoginThrottle
from cta_learning.database import rows_changed, utcnow
from cta_learning.extensions import db

log = logging.getLogger(__name__)

FREE_FAILURES = 5
FIRST_BLOCK = timedelta(minutes=1)
LONGEST_BLOCK = timedelta(hours=1)
ALERT_INTERVAL = timedelta(days=1)
FORGET_AFTER = timedelta(days=1)  # longer than the longest block and the alert interval
_CLAIM_TRIES = 3


def address_key(email: str) -> str:
    """The row's key: a keyed hash, so the table lists no address."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def block_after(failures: int) -> timedelta | None:
    """How long an address waits after this many failures in a row (None: not at all)."""
    if failures < FREE_FAILURES:
        return None
    doublings = min(failures - FREE_FAILURES, 10)  # 2**10 minutes is past the cap already
    factor: int = 2**doublings  # typed: int ** int is Any to mypy (a negative power is a float)
    return min(FIRST_BLOCK * factor, LONGEST_BLOCK)


def claim_attempt(email: str) -> datetime | None:
    """Count an attempt as failed until its password proves right; when the address must wait
    instead, the end of its block (and the password must not be checked)."""
    key, now = address_key(email), utcnow()
    for _try in range(_CLAIM_TRIES):
        row = db.session.execute(
            select(LoginThrottle.failed_logins, LoginThrottle.blocked_until).where(
                LoginThrottle.address_hash == key
            )
        ).first()
        if row is None:
            if _first_failure(key, now):
                return None
            continue  # another worker created the row a moment ago
        blocked_until: datetime | None = row.blocked_until
        if blocked_until is not None and blocked_until > now:
            return blocked_until
        block = block_after(row.failed_logins + 1)
        claimed = rows_changed(
            update(LoginThrottle)
            .where(
                LoginThrottle.address_hash == key,
                LoginThrottle.failed_logins == row.failed_logins,
                or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now),
            )
            .values(
                failed_logins=row.failed_logins + 1,
                blocked_until=now + block if block else None,
                last_attempt_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed:
            return None
    log.info("log-in attempts racing on one address: it waits")
    return now + FIRST_BLOCK


def claim_turn(email: str) -> datetime | None:
    """`claim_attempt`, committed at once: the one commit a page makes before its end."""
    blocked_until = claim_attempt(email)
    # Committed now, in its own transaction, before the slow password check: every worker
    # must see this attempt counted while it runs, whatever the request ends with.
    db.session.commit()
    return blocked_until


def forget_idle(now: datetime) -> int:
    """Drop the addresses not tried for FORGET_AFTER; how many were dropped."""
    return rows_changed(
        delete(LoginThrottle)
        .where(LoginThrottle.last_attempt_at < now - FORGET_AFTER)
        .execution_options(synchronize_session=False)
    )


def _first_failure(key: str, now: datetime) -> bool:
    # Rows are added only here, so dropping the forgotten ones here bounds the table (and
    # `flask clean-up` drops them daily when nobody fails a log-in).
    forget_idle(now)
    try:
        with db.session.begin_nested():
            db.session.add(LoginThrottle(address_hash=key, failed_logins=1, last_attempt_at=now))
    except IntegrityError:  # the same address tried at the same moment elsewhere
        return False
    return True


def clear(email: str) -> None:
    """Forget the failures of an address (its password was right, or was reset)."""
    db.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.address_hash == address_key(email))
        .execution_options(synchronize_session=False)
    )


def alert_due(email: str) -> bool:
    """Whether the address's owner should now hear of its failures: once they reach
    FREE_FAILURES, then at most once per ALERT_INTERVAL (one worker wins the UPDATE)."""
    now = utcnow()
    return bool(
        rows_changed(
            update(LoginThrottle)
            .where(
                LoginThrottle.address_hash == address_key(email),
                LoginThrottle.failed_logins >= FREE_FAILURES,
                or_(
                    LoginThrottle.alerted_at.is_(None),
                    LoginThrottle.alerted_at <= now - ALERT_INTERVAL,
                ),
            )
            .values(alerted_at=now)
            .execution_options(synchronize_session=False)
        )
    )
