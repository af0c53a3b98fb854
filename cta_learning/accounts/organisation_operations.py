"""Organisation profiles: creation, editing, members, invitations and hand-over."""

import logging
from datetime import timedelta
from typing import Any

from blinker import signal
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from cta_learning import audit
from cta_learning.accounts import tokens
from cta_learning.accounts.models import Invitation, Membership, Organisation, User
from cta_learning.accounts.operations import account_closing
from cta_learning.database import rows_changed, utcnow
from cta_learning.extensions import db
from cta_learning.i18n import region_for_country
from cta_learning.mail.operations import email_user, queue_email
from cta_learning.security import public_url_for

log = logging.getLogger(__name__)

PROFILE_FIELDS = (
    "kind",
    "name",
    "country",
    "preferred_language",
    "population",
    "declaration_signed_on",
    "declaration_signatory",
    "endorsed_on",
    "policy_processes",
    "policy_processes_other",
)


# Sent with the organisation and the person once they have joined it.
member_joined = signal("member-joined")


class MembershipError(ValueError):
    """A membership change that the rules refuse; the message says why."""


def members_of(organisation: Organisation) -> list[Membership]:
    """The organisation's memberships with their people, in one query."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.organisation_id == organisation.id)
            .options(joinedload(Membership.user))
            .order_by(Membership.id)
        )
    )


def open_invitations(organisation: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.id)
        )
    )


def _apply_profile(organisation: Organisation, data: dict[str, Any]) -> None:
    for field in PROFILE_FIELDS:
        setattr(organisation, field, data.get(field))
    organisation.policy_processes = list(data.get("policy_processes") or [])
    organisation.region = region_for_country(organisation.country)
    if organisation.kind == "lrg":
        organisation.endorsed_on = None
    else:
        organisation.declaration_signed_on = organisation.declaration_signatory = None


def create_organisation(user: User, data: dict[str, Any]) -> Organisation:
    """Create a profile with the user as its person in charge."""
    if user.membership is not None:
        raise MembershipError("already a member")
    organisation = Organisation()
    _apply_profile(organisation, data)
    db.session.add(organisation)
    db.session.add(Membership(organisation=organisation, user=user, role="owner"))
    db.session.flush()
    audit.record("organisation.created", organisation, user)
    return organisation


def update_organisation(organisation: Organisation, data: dict[str, Any], by: User) -> None:
    _apply_profile(organisation, data)
    audit.record("organisation.updated", organisation, by)


def invite(organisation: Organisation, email: str, role: str, by: User | None) -> Invitation:
    """Invite an address to join; an earlier open invitation to it is replaced."""
    email = email.strip().lower()
    if any(m.user.email == email for m in organisation.memberships):
        raise MembershipError("already in this organisation")
    now = utcnow()
    for earlier in organisation.invitations:
        if earlier.email == email and earlier.is_open(now):
            earlier.revoked_at = now
    token, token_hash = tokens.new_random_token()
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=by,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    queue_email(
        email,
        "invitation",
        locale=organisation.preferred_language,
        organisation=organisation,
        inviter=by,
        role=role,
        days=days,
        link=public_url_for("organisations.invitation", token=token),
    )
    audit.record("organisation.member_invited", organisation, by, email=email, role=role)
    return invitation


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(Invitation).where(Invitation.token_hash == tokens.hash_random_token(token))
    )


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Join the organisation of an open invitation addressed to the user."""
    if not invitation.is_open(utcnow()):
        raise MembershipError("invitation closed")
    if invitation.email != user.email:
        raise MembershipError("invitation for another address")
    if user.membership is not None:
        raise MembershipError("already a member")
    membership = Membership(organisation=invitation.organisation, user=user, role=invitation.role)
    db.session.add(membership)
    invitation.accepted_at = utcnow()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the invitation reached this address
    db.session.flush()
    audit.record("organisation.member_joined", invitation.organisation, user, role=invitation.role)
    member_joined.send(invitation.organisation, user=user)
    return membership


def revoke_invitation(invitation: Invitation, by: User) -> None:
    invitation.revoked_at = utcnow()
    audit.record(
        "organisation.invitation_revoked", invitation.organisation, by, email=invitation.email
    )


@account_closing.connect
def _revoke_invitations_sent(user: User) -> None:
    """Invitations a deactivated or deleted person sent can no longer be accepted."""
    now = utcnow()
    revoked = rows_changed(
        update(Invitation)
        .where(
            Invitation.invited_by_id == user.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    log.info("%s invitations sent by user %s revoked", revoked, user.id)


def remove_member(membership: Membership, by: User) -> None:
    """Remove someone from an organisation; the last person in charge cannot be removed."""
    organisation = membership.organisation
    owners = [m for m in organisation.memberships if m.is_owner]
    if membership.is_owner and len(owners) == 1:
        raise MembershipError("last owner")
    audit.record("organisation.member_removed", organisation, by, user_id=membership.user_id)
    if membership.user_id != by.id:
        email_user(membership.user, "removed_from_organisation", organisation=organisation)
    organisation.memberships.remove(membership)
    db.session.flush()


def set_member_role(membership: Membership, role: str, by: User) -> None:
    organisation = membership.organisation
    owners = [m for m in organisation.memberships if m.is_owner]
    if membership.is_owner and role != "owner" and len(owners) == 1:
        raise MembershipError("last owner")
    membership.role = role
    audit.record(
        "organisation.member_role_changed", organisation, by, user_id=membership.user_id, role=role
    )


def hand_over(organisation: Organisation, email: str, remove_previous: bool, by: User) -> str:
    """Give a profile to a new person in charge (the secretariat's access transfer).

    Returns 'granted' when the person already has an account, 'invited' otherwise.
    """
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    previous = [
        m for m in organisation.memberships if m.is_owner and m.user_id != (user and user.id)
    ]
    if user is not None:
        if user.membership and user.membership.organisation_id != organisation.id:
            raise MembershipError("member elsewhere")
        if user.membership:
            user.membership.role = "owner"
        else:
            db.session.add(Membership(organisation=organisation, user=user, role="owner"))
        email_user(
            user,
            "access_granted",
            organisation=organisation,
            link=public_url_for("organisations.show"),
        )
        outcome = "granted"
    else:
        invite(organisation, email, "owner", by)
        outcome = "invited"
    if remove_previous:
        for membership in previous:
            organisation.memberships.remove(membership)
    db.session.flush()
    audit.record(
        "organisation.handed_over",
        organisation,
        by,
        email=email,
        removed=[m.user_id for m in previous] if remove_previous else [],
    )
    return outcome
