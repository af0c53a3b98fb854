"""What the secretariat does to accounts: roles, deactivation, creating admins."""

import logging

from cta_learning import audit
from cta_learning.accounts.models import User
from cta_learning.accounts.operations import close_access, find_user_by_email, hash_password
from cta_learning.database import utcnow
from cta_learning.extensions import db

log = logging.getLogger(__name__)


def set_role(user: User, role: str, by: User | None) -> None:
    user.role = role
    audit.record("user.role_changed", user, by, role=role)


def set_active(user: User, active: bool, by: User | None) -> None:
    """Deactivate (refuse log-in, revoke sessions, feeds and invitations) or reactivate."""
    user.is_active = active
    if not active:
        close_access(user)
    audit.record("user.activated" if active else "user.deactivated", user, by)


def create_admin(name: str, email: str, password: str) -> User:
    """Create a confirmed admin account, or make an existing account admin."""
    user = find_user_by_email(email)
    if user is None:
        user = User(
            name=name,
            email=email.strip().lower(),
            password_hash=hash_password(password),
            email_confirmed_at=utcnow(),
        )
        db.session.add(user)
    user.role = "admin"
    db.session.flush()
    audit.record("user.made_admin", user, None)
    return user
