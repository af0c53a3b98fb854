"""Users, organisations, memberships and invitations."""

import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cta_learning.database import utcnow
from cta_learning.extensions import Model

ORGANISATION_KINDS = ("lrg", "partner")
MEMBERSHIP_ROLES = ("owner", "member")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('member', 'organiser', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="member")
    locale: Mapped[str] = mapped_column(String(5), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    email_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Two-step sign-in (accounts/two_factor.py): the secret, encrypted; set but not enabled
    # while the person confirms it; the last time step used, so a code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    totp_failed_at: Mapped[datetime | None]

    membership: Mapped["Membership | None"] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def get_id(self) -> str:
        # Sessions carry this token, not the id: rotating it signs every session out.
        return self.session_token

    @property
    def organisation(self) -> "Organisation | None":
        return self.membership.organisation if self.membership else None


class Organisation(Model):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('lrg', 'partner')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str] = mapped_column(String(20), index=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    population: Mapped[int | None]
    declaration_signed_on: Mapped[date | None]
    declaration_signatory: Mapped[str | None] = mapped_column(String(200))
    endorsed_on: Mapped[date | None]
    policy_processes: Mapped[list[str]] = mapped_column(JSON, default=list)
    policy_processes_other: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    unlocked_at: Mapped[datetime | None]  # set while it holds an access grant (see access.py)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Membership.id"
    )
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Invitation.id"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"

    @property
    def is_government(self) -> bool:
        return self.kind == "lrg"


class Membership(Model):
    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint("role IN ('owner', 'member')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="membership")

    def __repr__(self) -> str:
        return f"<Membership user={self.user_id} org={self.organisation_id} {self.role}>"

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


class Invitation(Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10), default="member")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="invitations")
    invited_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.email} org={self.organisation_id}>"

    def is_open(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class RecoveryCode(Model):
    """A single-use code that replaces the second step when the phone is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id}>"


class LoginThrottle(Model):
    """Failed log-ins for one address, known or not (so a block reveals no account); the
    password check is skipped while `blocked_until` lies ahead (accounts/login_throttle.py)."""

    __tablename__ = "login_throttles"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    blocked_until: Mapped[datetime | None]
    alerted_at: Mapped[datetime | None]  # the owner was last told of the failures
    last_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.address_hash[:8]} {self.failed_logins}>"
