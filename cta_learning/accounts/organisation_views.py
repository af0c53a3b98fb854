"""A member's organisation profile: create, edit, members and invitations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cta_learning.accounts import organisation_operations as operations
from cta_learning.accounts.forms import (
    MEMBERSHIP_ROLE_LABELS,
    ORGANISATION_KIND_LABELS,
    POLICY_PROCESSES,
    InviteForm,
    OrganisationForm,
)
from cta_learning.accounts.membership_rules import require_membership
from cta_learning.accounts.models import Invitation, Membership, Organisation
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.forms import BaseForm
from cta_learning.security import require_role

bp = Blueprint("organisations", __name__)

MEMBERSHIP_MESSAGES = {
    "already a member": lambda: _("You already belong to an organisation profile."),
    "already in this organisation": lambda: _("This person is already a member."),
    "invitation closed": lambda: _("This invitation has expired, was withdrawn or was used."),
    "invitation for another address": lambda: _(
        "This invitation was sent to another email address. Log out, then log in with the "
        "address that received it."
    ),
    "last owner": lambda: _("An organisation keeps at least one person in charge."),
    "member elsewhere": lambda: _("This person already belongs to another organisation."),
}


PROFILE_LABELS = {"kind_labels": ORGANISATION_KIND_LABELS, "process_labels": POLICY_PROCESSES}


def membership_message(error: operations.MembershipError) -> str:
    return MEMBERSHIP_MESSAGES[str(error)]()


def _profile_data(form: OrganisationForm) -> dict:
    return {name: form[name].data for name in operations.PROFILE_FIELDS}


@bp.get("/organisation")
@require_membership()
def show(membership: Membership):
    return render_template(
        "organisations/show.html",
        membership=membership,
        organisation=membership.organisation,
        **PROFILE_LABELS,
    )


@bp.route("/organisation/new", methods=["GET", "POST"])
@require_role("member")
def create():
    if current_user.membership is not None:
        return redirect(url_for("organisations.show"))
    return _profile_form(None)


@bp.route("/organisation/edit", methods=["GET", "POST"])
@require_membership()
def edit(membership: Membership):
    return _profile_form(membership.organisation)


def _profile_form(organisation: Organisation | None):
    """Create a profile (no organisation yet) or edit the given one."""
    form = OrganisationForm(obj=organisation)
    form.set_country_choices()
    if form.validate_on_submit():
        if organisation is None:
            organisation = operations.create_organisation(current_user, _profile_data(form))
            message = _("The profile of %(name)s is created.", name=organisation.name)
        else:
            operations.update_organisation(organisation, _profile_data(form), current_user)
            message = _("The profile is saved.")
        flash(message, "success")
        return redirect(url_for("organisations.show"))
    return render_template("organisations/form.html", form=form, creating=organisation is None)


@bp.route("/organisation/members", methods=["GET", "POST"])
@require_membership()
def members(membership: Membership):
    organisation = membership.organisation
    form = InviteForm()
    if request.method == "POST":
        if not membership.is_owner:
            abort(403)
        if form.validate_on_submit():
            try:
                operations.invite(organisation, form.email.data, form.role.data, current_user)
            except operations.MembershipError as error:
                form.email.errors.append(membership_message(error))
            else:
                flash(
                    _("An invitation is on its way to %(email)s.", email=form.email.data), "success"
                )
                return redirect(url_for("organisations.members"))
    return render_template(
        "organisations/members.html",
        membership=membership,
        organisation=organisation,
        members=operations.members_of(organisation),
        form=form,
        invitations=operations.open_invitations(organisation) if membership.is_owner else [],
        action_form=BaseForm(),
        roles=MEMBERSHIP_ROLE_LABELS,
    )


def _member_of(organisation_id: int, membership_id: int) -> Membership:
    other = db.session.get(Membership, membership_id)
    if other is None or other.organisation_id != organisation_id:
        abort(404)
    return other


@bp.post("/organisation/members/<int:membership_id>/remove")
@require_membership(owner=True)
def remove_member(membership: Membership, membership_id: int):
    other = _member_of(membership.organisation_id, membership_id)
    if BaseForm().validate_on_submit():
        name = other.user.name
        try:
            operations.remove_member(other, current_user)
        except operations.MembershipError as error:
            flash(membership_message(error), "error")
        else:
            flash(_("%(name)s is no longer a member.", name=name), "success")
    return redirect(url_for("organisations.members"))


@bp.post("/organisation/members/<int:membership_id>/role")
@require_membership(owner=True)
def change_role(membership: Membership, membership_id: int):
    other = _member_of(membership.organisation_id, membership_id)
    role = request.form.get("role")
    if role not in MEMBERSHIP_ROLE_LABELS:
        abort(400)
    if BaseForm().validate_on_submit():
        try:
            operations.set_member_role(other, role, current_user)
        except operations.MembershipError as error:
            flash(membership_message(error), "error")
        else:
            flash(_("The role of %(name)s is changed.", name=other.user.name), "success")
    return redirect(url_for("organisations.members"))


@bp.post("/organisation/invitations/<int:invitation_id>/revoke")
@require_membership(owner=True)
def revoke_invitation(membership: Membership, invitation_id: int):
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != membership.organisation_id:
        abort(404)
    if BaseForm().validate_on_submit():
        operations.revoke_invitation(invitation, current_user)
        flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email), "success")
    return redirect(url_for("organisations.members"))


@bp.post("/organisation/leave")
@require_membership()
def leave(membership: Membership):
    if BaseForm().validate_on_submit():
        name = membership.organisation.name
        try:
            operations.remove_member(membership, current_user)
        except operations.MembershipError as error:
            flash(membership_message(error), "error")
            return redirect(url_for("organisations.members"))
        flash(_("You have left %(name)s.", name=name), "success")
    return redirect(url_for("dashboard.show"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    found = operations.find_invitation(token)
    if found is None:
        abort(404)
    form = BaseForm()
    if request.method == "POST" and current_user.is_authenticated and form.validate_on_submit():
        try:
            operations.accept_invitation(found, current_user)
        except operations.MembershipError as error:
            flash(membership_message(error), "error")
        else:
            flash(_("Welcome to %(name)s.", name=found.organisation.name), "success")
            return redirect(url_for("organisations.show"))
    return render_template(
        "organisations/invitation.html",
        invitation=found,
        form=form,
        is_open=found.is_open(utcnow()),
    )
