"""Two-step sign-in: a code from an authenticator app (TOTP) after the password.

The rules, all kept here:
- the secret is stored encrypted (AES-GCM) with a key derived from SECRET_KEY, so a copy of the
  database alone does not give the codes; two-step stays off until a first code confirms it;
- a code is accepted once: the last time step used is stored and a conditional UPDATE accepts
  only a later one, so a replayed code, even in two simultaneous requests, is refused;
- a recovery code replaces the app once (conditional UPDATE of its `used_at`);
- wrong codes are counted on the account, not in the session (a client can replay an old
  cookie): every `MAX_FAILURES`-th drops the pending login, and from the first such drop each
  further try waits a delay that doubles up to an hour, until a right code resets the count;
- staff (organisers, admins) keep two-step on: `security.require_role` sends a staff member
  without it to the set-up page, and turning it off is refused to them;
- sensitive changes need a password or code entered in the last `FRESH_SECONDS`.
"""

import base64
import hashlib
import hmac
import logging
import os
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec
from urllib.parse import urlsplit

import pyotp
from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in, user_logged_out
from sqlalchemy import delete, func, or_, select, update

from cta_learning import audit
from cta_learning.accounts.models import RecoveryCode, User
from cta_learning.accounts.tokens import fingerprint, hash_random_token
from cta_learning.database import rows_changed, utcnow
from cta_learning.extensions import db
from cta_learning.security import STAFF_ROLES

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

P = ParamSpec("P")

log = logging.getLogger(__name__)

ISSUER = "CTA Learning"
MAX_FAILURES = 5
PENDING_SECONDS = 10 * 60  # between the password and the code
FRESH_SECONDS = 10 * 60  # how long a password or code counts as "just entered"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_LENGTH = 10  # about 49 bits: out of reach of guessing, even without the limits
# Published on purpose for the demo's staff accounts; refused whenever ENV_NAME is production.
DEVELOPMENT_SECRET = "CTALEARNINGDEMOSECRETDEVONLY2345"  # noqa: S105 - demo accounts only
PENDING_KEY, FRESH_KEY = "two_factor_pending", "auth_fresh_at"


class TwoFactorError(ValueError):
    """A change of two-step sign-in that the account's state does not allow."""


# --- the secret --------------------------------------------------------------------------------


def _cipher() -> "AESGCM":
    # Imported here: web workers that never see a two-step account skip loading it.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return AESGCM(hmac.new(key, b"cta-totp-secret", hashlib.sha256).digest())


def encrypt_secret(secret: str) -> str:
    """Encrypt a base32 secret: 12-byte nonce + 20-byte secret + 16-byte tag = 64 characters."""
    nonce = os.urandom(12)
    sealed = nonce + _cipher().encrypt(nonce, base64.b32decode(secret), None)
    return base64.urlsafe_b64encode(sealed).decode()


def secret_of(user: User) -> str | None:
    """The account's base32 secret, or None (none, or unreadable after a new SECRET_KEY)."""
    from cryptography.exceptions import InvalidTag

    if not user.totp_secret:
        return None
    try:
        sealed = base64.urlsafe_b64decode(user.totp_secret)
        raw = _cipher().decrypt(sealed[:12], sealed[12:], None)
    except (ValueError, InvalidTag):
        return None
    return base64.b32encode(raw).decode()


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code(uri: str) -> str:
    """The QR code of `uri` as an inline SVG data URI, drawn here (no request elsewhere)."""
    import segno  # only the set-up page needs it

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def current_code(user: User) -> str:
    """The code the account's app shows now (for `flask users totp-code`, development only)."""
    secret = secret_of(user)
    if secret is None:
        raise TwoFactorError("this account has no two-step secret")
    return pyotp.TOTP(secret).now()


# --- enrolment ---------------------------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """Give the account a new secret to confirm with a code; two-step stays off until then."""
    if is_enabled(user):
        raise TwoFactorError("two-step sign-in is already on")
    secret = pyotp.random_base32()
    user.totp_secret, user.totp_last_step = encrypt_secret(secret), None
    log.info("user %s started two-step enrolment", user.id)
    return secret


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Turn two-step on if `code` matches the new secret: the recovery codes, else None."""
    if is_enabled(user) or not _use_app_code(user, _normalise(code)):
        return None
    user.totp_enabled_at = utcnow()
    audit.record("user.two_factor_enabled", user, user)
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with new ones; the plain codes, shown once."""
    if not is_enabled(user):
        raise TwoFactorError("two-step sign-in is off")
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_random_token(c)) for c in codes)
    db.session.flush()
    log.info("user %s has new recovery codes", user.id)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalars(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).one()


def disable(user: User, by: User) -> None:
    """Turn two-step off and forget the secret and recovery codes; refused to staff."""
    if user.role in STAFF_ROLES:
        raise TwoFactorError("organisers and admins keep two-step sign-in")
    reset(user, by)


def reset(user: User, by: User | None) -> None:
    """Forget the account's second factor (also for staff: `flask users reset-two-step`)."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.totp_failures, user.totp_failed_at = 0, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("user.two_factor_disabled", user, by)


def enable_development_secret(user: User) -> None:
    """Give a demo staff account the published development secret (refused in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise TwoFactorError("the development secret is refused in production")
    if not is_enabled(user) or secret_of(user) is None:
        user.totp_secret, user.totp_enabled_at = encrypt_secret(DEVELOPMENT_SECRET), utcnow()


# --- checking a code ---------------------------------------------------------------------------


def _normalise(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:64]


def _use_app_code(user: User, code: str) -> bool:
    """Whether `code` is the app's code of the previous, current or next 30 seconds, unused."""
    secret = secret_of(user)
    # isascii: other scripts' digits pass isdigit() but not compare_digest.
    if secret is None or len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    if secret == DEVELOPMENT_SECRET and current_app.config["ENV_NAME"] == "production":
        return False
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    step = next(
        (s for s in (now - 1, now, now + 1) if hmac.compare_digest(totp.generate_otp(s), code)),
        None,
    )
    if step is None:
        return False
    # Only a later step than the last one used: a replayed code changes no row.
    used = rows_changed(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return used == 1


def _use_recovery_code(user: User, code: str) -> bool:
    if len(code) != RECOVERY_LENGTH:
        return False
    used = rows_changed(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_random_token(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if used == 1:
        log.info("user %s used a recovery code", user.id)
    return used == 1


def wait_seconds(user: User, now: datetime) -> int:
    """Seconds before this account may try a code again after repeated wrong ones (0: now)."""
    if user.totp_failures < MAX_FAILURES or user.totp_failed_at is None:
        return 0
    delay = min(60 * 2 ** (user.totp_failures // MAX_FAILURES - 1), 3600)
    return max(0, int((user.totp_failed_at + timedelta(seconds=delay) - now).total_seconds()) + 1)


def check_code(user: User, code: str, recovery: bool = True) -> bool:
    """Whether `code` (from the app, or a recovery code) is right; uses it, counts a miss."""
    code = _normalise(code)
    if is_enabled(user) and (
        _use_app_code(user, code) or (recovery and _use_recovery_code(user, code))
    ):
        user.totp_failures, user.totp_failed_at = 0, None
        return True
    # One UPDATE, so that simultaneous wrong codes are all counted.
    user.totp_failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_failures=User.totp_failures + 1, totp_failed_at=utcnow())
        .returning(User.totp_failures)
    ).scalar_one()
    log.info("user %s entered a wrong code (%s)", user.id, user.totp_failures)
    return False


def must_start_over(user: User) -> bool:
    """After a wrong code: whether the pending login is dropped (every MAX_FAILURES-th)."""
    return user.totp_failures % MAX_FAILURES == 0


# --- the pending login and fresh authentication (in the signed session) -----------------------


def begin_pending_login(user: User, remember: bool, next_url: str) -> None:
    """The password was right: remember who is signing in until the code is entered."""
    session[PENDING_KEY] = {
        "user": user.id,
        # A digest, not the token: the cookie is readable, and the token is a session key.
        "token": fingerprint(user.session_token),
        "remember": bool(remember),
        "next": next_url,
        "until": int(time.time()) + PENDING_SECONDS,
    }


def pending_login() -> tuple[User, bool, str] | None:
    """The person between password and code (user, remember me, next page), if any still."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    if not isinstance(data.get("until"), int) or data["until"] < time.time():
        return None
    user = db.session.get(User, data["user"])
    # A new password (new session token) or two-step turned off ends the pending login.
    if user is None or not user.is_active or not is_enabled(user):
        return None
    if not hmac.compare_digest(str(data.get("token")), fingerprint(user.session_token)):
        return None
    return user, bool(data.get("remember")), str(data.get("next") or "")


def drop_pending_login() -> None:
    session.pop(PENDING_KEY, None)


@user_logged_in.connect  # type: ignore[untyped-decorator]  # flask_login has no type hints
def _mark_fresh(_app: Flask, **_extra: object) -> None:
    """Every login (password, or password and code) counts as a fresh authentication."""
    mark_fresh()


@user_logged_out.connect  # type: ignore[untyped-decorator]  # flask_login has no type hints
def _forget(_app: Flask, **_extra: object) -> None:
    session.pop(FRESH_KEY, None)
    drop_pending_login()


def mark_fresh() -> None:
    session[FRESH_KEY] = int(time.time())


def is_fresh() -> bool:
    at = session.get(FRESH_KEY)
    return isinstance(at, int) and 0 <= time.time() - at < FRESH_SECONDS


def _back_here() -> str:
    """Where to come back after re-authenticating: this page, or the form a POST came from."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        return request.path
    return url_for("dashboard.show")


def require_fresh_auth(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """Ask for the password (or a code, with two-step on) again unless entered just now."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if current_user.is_authenticated and not is_fresh():
            flash(_("Confirm it is you before this change."), "info")
            return redirect(url_for("two_factor.reauth", next=_back_here()))
        return view(*args, **kwargs)

    return wrapped
