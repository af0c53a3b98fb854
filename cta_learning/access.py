"""The unlock rule: what an organisation may use, and why. Every module asks here.

An organisation has the members' benefits while it holds at least one active grant: one per
submitted action (the first submission opens everything), or a manual grant by an admin (for
a partner invited without an action). Granting is idempotent; every change is audited.
"""

from dataclasses import dataclass
from datetime import datetime

from blinker import signal
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from cta_learning import audit
from cta_learning.accounts.models import Organisation, User
from cta_learning.accounts.organisation_operations import member_joined
from cta_learning.database import rows_changed, utcnow
from cta_learning.extensions import Model, db
from cta_learning.mail.operations import email_user
from cta_learning.security import public_url_for

BENEFITS = ("mooc", "member_events", "mailing_list", "cities_fund_news", "mgi_interest")
BENEFIT_LABELS = {
    "mooc": _l("The MOOC on localising the Global Compacts"),
    "member_events": _l("Peer-learning events for members"),
    "mailing_list": _l("The Call's mailing list"),
    "cities_fund_news": _l("News of the Global Cities Fund for Migrants and Refugees"),
    "mgi_interest": _l("Interest in the Local Migration Governance Indicators"),
}

# Sent with the organisation when it gains its benefits (the mailing list subscribes members).
organisation_unlocked = signal("organisation-unlocked")
organisation_locked = signal("organisation-locked")


class AccessGrant(Model):
    __tablename__ = "access_grants"
    __table_args__ = (
        UniqueConstraint("organisation_id", "action_id", name="uq_access_grants_action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<AccessGrant {self.id} org={self.organisation_id} action={self.action_id}>"

    @property
    def is_manual(self) -> bool:
        return self.action_id is None


@dataclass(frozen=True)
class Access:
    """What an organisation may use, and the grants that explain why."""

    grants: tuple[AccessGrant, ...]
    # From the organisation's flag (`standing`), when the grants themselves were not read.
    flagged_open: bool | None = None

    @property
    def is_unlocked(self) -> bool:
        return bool(self.grants) if self.flagged_open is None else self.flagged_open

    @property
    def benefits(self) -> tuple[str, ...]:
        return BENEFITS if self.is_unlocked else ()

    def allows(self, benefit: str) -> bool:
        return benefit in self.benefits


def access_for(organisation: Organisation | None) -> Access:
    """The organisation's active grants (one query); no organisation: nothing."""
    if organisation is None:
        return Access(())
    grants = db.session.scalars(
        select(AccessGrant)
        .where(AccessGrant.organisation_id == organisation.id, AccessGrant.revoked_at.is_(None))
        .order_by(AccessGrant.granted_at)
    ).all()
    return Access(tuple(grants))


def standing(organisation: Organisation | None) -> Access:
    """What the organisation may use, without reading its grants: `unlocked_at` is set while it
    holds an active grant (the grant and revoke operations below keep it so, under the row's
    lock), and the organisation is loaded with the signed-in person, so this costs no query."""
    return Access(
        (), flagged_open=organisation is not None and organisation.unlocked_at is not None
    )


def may_use(user: User | None, benefit: str) -> bool:
    """Whether a signed-in person's organisation gives them this benefit."""
    if user is None or not user.is_authenticated or user.organisation is None:
        return False
    return standing(user.organisation).allows(benefit)


def _mark_unlocked(organisation: Organisation, actor: User | None) -> None:
    """Record the moment the organisation opens; tell it only the first time (race-free)."""
    opened = rows_changed(
        update(Organisation)
        .where(Organisation.id == organisation.id, Organisation.unlocked_at.is_(None))
        .values(unlocked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if opened:
        db.session.refresh(organisation, ["unlocked_at"])
        audit.record("organisation.unlocked", organisation, actor)
        organisation_unlocked.send(organisation, actor=actor)


def grant_for_action(organisation: Organisation, action_id: int, by: User | None) -> AccessGrant:
    """Grant the benefits for a submitted action; the same action grants only once."""
    existing = db.session.scalar(
        select(AccessGrant).where(
            AccessGrant.organisation_id == organisation.id, AccessGrant.action_id == action_id
        )
    )
    if existing is not None:
        return existing
    grant = AccessGrant(
        organisation_id=organisation.id,
        action_id=action_id,
        granted_by_id=by and by.id,
        reason="action submitted",
    )
    try:
        with db.session.begin_nested():
            db.session.add(grant)
    except IntegrityError:  # the same action granted at the same moment elsewhere
        return db.session.scalars(
            select(AccessGrant).where(
                AccessGrant.organisation_id == organisation.id, AccessGrant.action_id == action_id
            )
        ).one()
    audit.record("access.granted", organisation, by, action_id=action_id)
    _mark_unlocked(organisation, by)
    return grant


def grant_manually(organisation: Organisation, reason: str, by: User) -> AccessGrant:
    """An admin opens the benefits without an action (e.g. an invited partner)."""
    grant = AccessGrant(organisation_id=organisation.id, reason=reason, granted_by_id=by.id)
    db.session.add(grant)
    db.session.flush()
    audit.record("access.granted_manually", organisation, by, reason=reason)
    _mark_unlocked(organisation, by)
    return grant


def revoke(grant: AccessGrant, reason: str, by: User | None) -> None:
    """End a grant; the organisation keeps its benefits only if another grant remains."""
    grant.revoked_at, grant.revoked_by_id, grant.revoke_reason = utcnow(), by and by.id, reason
    db.session.flush()
    organisation = db.session.get_one(Organisation, grant.organisation_id)
    audit.record("access.revoked", organisation, by, grant_id=grant.id, reason=reason)
    # Hold the organisation's row until the commit: two grants revoked at once must not each
    # see the other still active and both leave the flag set.
    db.session.execute(
        update(Organisation)
        .where(Organisation.id == organisation.id)
        .values(unlocked_at=Organisation.unlocked_at)
        .execution_options(synchronize_session=False)
    )
    if not access_for(organisation).is_unlocked:
        organisation.unlocked_at = None
        audit.record("organisation.locked", organisation, by)
        organisation_locked.send(organisation, actor=by)


def revoke_for_action(
    organisation: Organisation, action_id: int, reason: str, by: User | None
) -> None:
    grant = db.session.scalar(
        select(AccessGrant).where(
            AccessGrant.organisation_id == organisation.id,
            AccessGrant.action_id == action_id,
            AccessGrant.revoked_at.is_(None),
        )
    )
    if grant is not None:
        revoke(grant, reason, by)


@organisation_unlocked.connect
def _email_members(organisation: Organisation, actor: User | None = None) -> None:
    """Each member hears once that the benefits are open."""
    for membership in organisation.memberships:
        _email_benefits(membership.user, organisation)


def _email_benefits(user: User, organisation: Organisation) -> None:
    email_user(
        user,
        "benefits_open",
        organisation=organisation,
        benefits=[BENEFIT_LABELS[benefit] for benefit in BENEFITS],
        link=public_url_for("dashboard.show"),
        mailing_link=public_url_for("mailing.mine"),  # the member's own subscription
    )


@member_joined.connect
def _welcome_to_an_open_organisation(organisation: Organisation, user: User) -> None:
    """Someone who joins an organisation that is already open hears about it too."""
    if organisation.unlocked_at is not None:
        _email_benefits(user, organisation)
