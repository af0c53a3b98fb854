"""Account changes: sign-up, confirmation, passwords, email, deletion."""

import logging
from typing import Any

from blinker import signal
from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from cta_learning import audit
from cta_learning.accounts import login_throttle, tokens
from cta_learning.accounts.models import User, new_session_token
from cta_learning.database import isoformat_utc, utcnow
from cta_learning.extensions import db
from cta_learning.mail.operations import email_user, queue_email
from cta_learning.security import public_url_for

log = logging.getLogger(__name__)
_DUMMY_HASH: dict[str, str] = {}


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_user(name: str, email: str, password: str, locale: str, timezone: str) -> User | None:
    """Create an unconfirmed account and email its confirmation link; for a taken address,
    create nothing and warn its owner (the visitor sees the same answer either way)."""
    email = email.strip().lower()
    password_hash = hash_password(password)  # also for a taken address: the same time
    owner = find_user_by_email(email)
    if owner is not None:
        email_user(owner, "address_in_use", attempt="signup", link=public_url_for("auth.login"))
        log.info("sign-up attempted with the address of user %s", owner.id)
        return None
    user = User(
        name=name,
        email=email,
        password_hash=password_hash,
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
    token = tokens.make_bound_token("confirm", user)
    email_user(
        user,
        "confirm_email",
        link=public_url_for("auth.confirm_email", token=token),
        hours=current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 3600,
    )


def confirm_email(token: str) -> User | None:
    """Confirm the address in a valid token; None when the link is invalid or expired."""
    found = tokens.read_bound_token(
        "confirm", token, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"]
    )
    if found is None:
        return None
    user, _extra = found
    user.email_confirmed_at = utcnow()
    audit.record("user.email_confirmed", user, user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None (same work either way); after repeated
    failures the owner is told, with a reset link (see login_throttle for the count)."""
    user = find_user_by_email(email)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = hash_password("not-a-real-password")
        check_password_hash(_DUMMY_HASH[method], password)
    elif check_password_hash(user.password_hash, password):
        login_throttle.clear(email)
        return user
    if login_throttle.alert_due(email) and user is not None and user.is_active:
        _email_reset_link(user, "login_attempts")
        audit.record("user.login_attempts_reported", user, None)
    return None


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
    _email_reset_link(user, "reset_password")
    audit.record("user.password_reset_requested", user, user)


def _email_reset_link(user: User, template: str) -> None:
    """Email a link that sets a new password, until the address or the password changes."""
    email_user(
        user,
        template,
        link=public_url_for("auth.reset_password", token=tokens.make_bound_token("reset", user)),
        hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
    )


def user_for_reset_token(token: str) -> User | None:
    """The user a reset link belongs to, while it is unused and unexpired."""
    found = tokens.read_bound_token("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    return found[0] if found else None


def change_password(user: User, new_password: str) -> None:
    """Set a new password, sign out every session and tell the user by email."""
    user.password_hash = hash_password(new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the reset link reached this address
    sign_out_everywhere(user)
    login_throttle.clear(user.email)
    email_user(user, "password_changed")
    audit.record("user.password_changed", user, user)


def request_email_change(user: User, new_email: str) -> None:
    """Email a confirmation link to the new address (or, when another account uses it, warn
    that account's owner and change nothing); the old address is told either way."""
    new_email = new_email.strip().lower()
    owner = find_user_by_email(new_email)
    if owner is not None:
        email_user(
            owner, "address_in_use", attempt="email_change", link=public_url_for("auth.login")
        )
    else:
        token = tokens.make_bound_token("change-email", user, new=new_email)
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
    found = tokens.read_bound_token(
        "change-email", token, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"]
    )
    if found is None:
        return None
    user, extra = found
    new_email = extra.get("new")
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
# Sent when an account is deactivated or deleted: modules revoke at once what still opens
# something without a session (calendar feeds, invitations it sent, API tokens).
account_closing = signal("account-closing")


def close_access(user: User) -> None:
    """Revoke everything that lets the account in: its sessions, then each module's keys."""
    sign_out_everywhere(user)
    account_closing.send(user)
    log.info("user %s access closed", user.id)


def export_account(user: User) -> dict[str, Any]:
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
    close_access(user)
    account_deleting.send(user)
    audit.record("user.deleted", user, None, email_domain=user.email.rpartition("@")[2])
    db.session.delete(user)
    db.session.flush()
