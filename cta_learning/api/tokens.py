"""Personal API tokens: created, named, scoped and revoked on the account page.

The secret ("cta_" and 43 random characters) is shown once, at creation; only its SHA-256 is
stored, so a copy of the database opens nothing. A token acts for its owner, within its scopes,
until it is revoked or the account is closed (deactivated or deleted).
"""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from cta_learning import audit
from cta_learning.accounts.models import User
from cta_learning.accounts.operations import account_closing, account_exporting
from cta_learning.database import isoformat_utc, rows_changed, utcnow
from cta_learning.extensions import Model, db
from cta_learning.refusals import Refused

log = logging.getLogger(__name__)

SECRET_PREFIX = "cta_"  # noqa: S105 - the marker every secret starts with, not a secret
SCOPES = ("read", "registrations")
SCOPE_LABELS = {
    "read": _l("Read my account, organisation, courses and registrations"),
    "registrations": _l("Register for events and cancel registrations"),
}
MAX_LIVE_TOKENS = 10
# last_used_at is a hint for the owner, not a log: one write a minute per token at most, so a
# busy client does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the secret
    prefix: Mapped[str] = mapped_column(String(8))  # the secret's start, shown to its owner
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix} user={self.user_id}>"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def live_tokens(user: User) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(user: User, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Create a token for the person; returns it with its secret, which is never kept."""
    if not scopes or any(scope not in SCOPES for scope in scopes):
        raise Refused(_("Choose what the token may do."), 400)
    # Lock the person's row, so two requests at once cannot both take the tenth place.
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_token=User.session_token)
        .execution_options(synchronize_session=False)
    )
    live = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if (live or 0) >= MAX_LIVE_TOKENS:
        raise Refused(
            _("You have as many tokens as allowed: revoke one before creating another."), 409
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        token_hash=hash_secret(secret),
        prefix=secret[:8],
        scopes=[scope for scope in SCOPES if scope in scopes],
    )
    db.session.add(token)
    db.session.flush()
    audit.record("user.api_token_created", user, user, name=token.name, prefix=token.prefix)
    return token, secret


def revoke_token(token: ApiToken, by: User) -> None:
    """Stop a token at once; revoking twice changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    owner = db.session.get_one(User, token.user_id)
    audit.record("user.api_token_revoked", owner, by, name=token.name, prefix=token.prefix)


def token_of(user: User, token_id: int) -> ApiToken | None:
    """One of the person's own live tokens; anyone else's is None."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return None
    return token


def find_live_token(secret: str) -> ApiToken | None:
    """The live token with this secret, looked up by its hash (so the comparison takes the
    same time whatever the secret), or None."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    return db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_secret(secret), ApiToken.revoked_at.is_(None)
        )
    )


def note_use(token: ApiToken, now: datetime) -> None:
    """Remember that the token was used, at most once a minute (a conditional UPDATE, so
    concurrent requests write once)."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    rows_changed(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            (ApiToken.last_used_at.is_(None))
            | (ApiToken.last_used_at < now - LAST_USED_RESOLUTION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


@account_closing.connect
def _revoke_tokens(user: User) -> None:
    """A deactivated or deleted account's tokens stop working at once."""
    revoked = rows_changed(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    log.info("%s API tokens of user %s revoked", revoked, user.id)


@account_exporting.connect
def _export(user: User) -> dict[str, Any]:
    """The person's API tokens (never their secrets, which are not kept), for their export."""
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    return {
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "scopes": token.scopes,
                "created_at": isoformat_utc(token.created_at),
                "last_used_at": isoformat_utc(token.last_used_at),
                "revoked_at": isoformat_utc(token.revoked_at),
            }
            for token in rows
        ]
    }
