"""Account changes: sign-up, confirmation, passwords, email, deletion."""

import logging

from blinker import signal
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from cta_learning import audit
from cta_learning.accounts import tokens
from cta_learning.accounts.models import User, new_session_token
from cta_learning.database import isoformat_utc, utcnow
from cta_learning.extensions import db
from cta_learning.mail.operations import email_user, queue_email
from cta_learning.security import public_url_for

log = logging.getLogger(__name__)
_DUMMY_HASH: dict[str, str] = {}


class EmailTaken(ValueError):
    """Another account already uses this address."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_user(name: str, email: str, password: str, locale: str, timezone: str) -> User:
    """Create an unconfirmed account and email its confirmation link."""
    email = email.strip().lower()
    if find_user_by_email(email):
        raise EmailTaken(email)
    user = User(
        name=name,
        email=email,
        password_hash=hash_password(password),
        locale=locale,
        timezone=timezone,
    )
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    audit.record("user.signed_up", user, user)
    return user


def send_confirmation(user: User) -> None:
    """Email a link that confirms the user's address."""
    token = tokens.make_token("confirm", {"uid": user.id, "email": user.email})
    email_user(
        user,
        "confirm_email",
        link=public_url_for("auth.confirm_email", token=token),
        hours=current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 3600,
    )


def confirm_email(token: str) -> User | None:
    """Confirm the address in a valid token; None when the link is invalid or expired."""
    payload = tokens.read_token("confirm", token, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"])
    if not payload:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        audit.record("user.email_confirmed", user, user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same work either way)."""
    user = find_user_by_email(email)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = hash_password("not-a-real-password")
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    log.info("user %s logged in", user.id)


def sign_out_everywhere(user: User) -> None:
    """Invalidate every session and remember-me cookie of the user."""
    user.session_token = new_session_token()
    log.info("user %s sessions invalidated", user.id)


def request_password_reset(email: str) -> None:
    """Email a reset link if an active account has this address; say nothing otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        log.info("password reset asked for an unknown address")
        return
    token = tokens.make_token(
        "reset", {"uid": user.id, "fp": tokens.fingerprint(user.password_hash)}
    )
    email_user(
        user,
        "reset_password",
        link=public_url_for("auth.reset_password", token=token),
        hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
    )
    audit.record("user.password_reset_requested", user, user)


def user_for_reset_token(token: str) -> User | None:
    """The user a reset link belongs to, while it is unused and unexpired."""
    payload = tokens.read_token("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if not payload:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.is_active:
        return None
    if tokens.fingerprint(user.password_hash) != payload.get("fp"):
        return None  # the password changed since: the link was used
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a new password, sign out every session and tell the user by email."""
    user.password_hash = hash_password(new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the reset link reached this address
    sign_out_everywhere(user)
    email_user(user, "password_changed")
    audit.record("user.password_changed", user, user)


def request_email_change(user: User, new_email: str) -> None:
    """Email a confirmation link to the new address; the old one is told."""
    new_email = new_email.strip().lower()
    if find_user_by_email(new_email):
        raise EmailTaken(new_email)
    token = tokens.make_token("change-email", {"uid": user.id, "old": user.email, "new": new_email})
    queue_email(
        new_email,
        "confirm_new_email",
        locale=user.locale,
        to_name=user.name,
        user=user,
        link=public_url_for("settings.confirm_email_change", token=token),
        hours=current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 3600,
    )
    email_user(user, "email_change_requested", new_email=new_email)
    audit.record("user.email_change_requested", user, user, new_email=new_email)


def confirm_email_change(token: str) -> User | None:
    """Apply a confirmed email change; None when the link is invalid, used or expired."""
    payload = tokens.read_token(
        "change-email", token, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"]
    )
    if not payload:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("old"):
        return None
    new_email = payload.get("new")
    if not isinstance(new_email, str) or find_user_by_email(new_email):
        return None
    old_email, user.email = user.email, new_email
    user.email_confirmed_at = utcnow()
    sign_out_everywhere(user)
    audit.record("user.email_changed", user, user, old_email=old_email)
    return user


def update_account(user: User, name: str, locale: str, timezone: str) -> None:
    user.name, user.locale, user.timezone = name, locale, timezone
    log.info("user %s updated their account", user.id)


def set_language(user: User, locale: str) -> None:
    user.locale = locale


# Other modules add what they keep about a person: receivers return {section: data}.
account_exporting = signal("account-exporting")
# Sent before an account is deleted, so modules can release what it holds (event places).
account_deleting = signal("account-deleting")


def export_account(user: User) -> dict:
    """Everything the platform keeps about a person, for them to download."""
    membership = user.membership
    data = {
        "name": user.name,
        "email": user.email,
        "language": user.locale,
        "time_zone": user.timezone,
        "role": user.role,
        "created_at": isoformat_utc(user.created_at),
        "email_confirmed_at": isoformat_utc(user.email_confirmed_at),
        "last_login_at": isoformat_utc(user.last_login_at),
        "organisation": {
            "name": membership.organisation.name,
            "role": membership.role,
            "joined_at": isoformat_utc(membership.joined_at),
        }
        if membership
        else None,
    }
    for _receiver, sections in account_exporting.send(user):
        data.update(sections)
    return data


def delete_account(user: User) -> None:
    """Delete the account; if it was the last person in charge, the next member takes over."""
    membership = user.membership
    if membership and membership.is_owner:
        organisation = membership.organisation
        others = [m for m in organisation.memberships if m.user_id != user.id]
        if others and not any(m.is_owner for m in others):
            successor = min(others, key=lambda m: m.joined_at)
            successor.role = "owner"
            audit.record(
                "organisation.owner_succeeded", organisation, user, successor_id=successor.user_id
            )
    account_deleting.send(user)
    audit.record("user.deleted", user, None, email_domain=user.email.rpartition("@")[2])
    db.session.delete(user)
    db.session.flush()
