"""The secretariat's pages: people, organisation profiles and access transfers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from cta_learning import access, audit_listing
from cta_learning.accounts import organisation_operations, user_admin_operations
from cta_learning.accounts.forms import GrantForm, TransferForm
from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.accounts.organisation_views import PROFILE_LABELS, membership_message
from cta_learning.accounts.two_factor import require_fresh_auth
from cta_learning.extensions import db
from cta_learning.forms import BaseForm
from cta_learning.pagination import count_of, paginate
from cta_learning.refusals import Refused, WayForward
from cta_learning.security import ROLE_LABELS, ROLES, require_role
from cta_learning.spreadsheets import csv_response

bp = Blueprint("accounts_manage", __name__, url_prefix="/admin")


@bp.before_request
@require_role("admin")
def _admins_only():
    """Every page here is for admins."""


def _search_term() -> str:
    return (request.args.get("q") or "").strip()[:100]


@bp.get("/users")
def users():
    query = select(User).order_by(User.created_at.desc())
    term = _search_term()
    if term:
        pattern = f"%{term.lower()}%"
        query = query.where(or_(User.email.like(pattern), User.name.ilike(pattern)))
    page = paginate(query, count_of(query), 50)
    return render_template(
        "accounts_manage/users.html",
        page=page,
        term=term,
        roles=ROLES,
        role_labels=ROLE_LABELS,
        action_form=BaseForm(),
    )


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.post("/users/<int:user_id>/role")
@require_fresh_auth
def set_role(user_id: int):
    user = _user_or_404(user_id)
    role = request.form.get("role")
    if role not in ROLES:
        abort(400)
    if BaseForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot change your own role."), "error")
        else:
            user_admin_operations.set_role(user, role, current_user)
            flash(
                _("%(name)s is now: %(role)s.", name=user.name, role=ROLE_LABELS[role]), "success"
            )
    return redirect(url_for("accounts_manage.users", q=_search_term() or None))


@bp.post("/users/<int:user_id>/active")
@require_fresh_auth
def set_active(user_id: int):
    user = _user_or_404(user_id)
    if BaseForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot deactivate your own account."), "error")
        else:
            user_admin_operations.set_active(user, not user.is_active, current_user)
            flash(_("The account of %(name)s is updated.", name=user.name), "success")
    return redirect(url_for("accounts_manage.users", q=_search_term() or None))


@bp.get("/organisations")
def organisations():
    query = select(Organisation).order_by(Organisation.name)
    term = _search_term()
    if term:
        query = query.where(Organisation.name.ilike(f"%{term}%"))
    page = paginate(query, count_of(query), 50)
    return render_template("accounts_manage/organisations.html", page=page, term=term)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int):
    organisation = db.session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.memberships).selectinload(Membership.user))
    )
    if organisation is None:
        abort(404)
    form = TransferForm()
    if form.validate_on_submit():
        try:
            outcome = organisation_operations.hand_over(
                organisation, form.email.data, form.remove_previous.data, current_user
            )
        except organisation_operations.MembershipError as error:
            form.email.errors.append(membership_message(error))
        else:
            if outcome == "granted":
                flash(
                    _("%(email)s is now in charge of this profile.", email=form.email.data),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(email)s has no account yet: an invitation to take charge of this "
                        "profile is on its way.",
                        email=form.email.data,
                    ),
                    "success",
                )
            return redirect(
                url_for("accounts_manage.organisation", organisation_id=organisation.id)
            )
    return render_template(
        "accounts_manage/organisation.html",
        organisation=organisation,
        form=form,
        access=access.access_for(organisation),
        grant_form=GrantForm(),
        action_form=BaseForm(),
        **PROFILE_LABELS,
    )


@bp.post("/organisations/<int:organisation_id>/grants")
def grant(organisation_id: int):
    """Open the benefits without an action, e.g. for a partner invited by the secretariat."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = GrantForm()
    if form.validate_on_submit():
        access.grant_manually(organisation, form.reason.data, current_user)
        flash(_("The benefits are open to %(name)s.", name=organisation.name), "success")
    else:
        message = " ".join(map(str, form.reason.errors))
        flash(message or _("The form has expired. Please submit it again."), "error")
    return redirect(url_for("accounts_manage.organisation", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/grants/<int:grant_id>/revoke")
def revoke_grant(organisation_id: int, grant_id: int):
    grant = db.session.get(access.AccessGrant, grant_id)
    if grant is None or grant.organisation_id != organisation_id or not grant.is_manual:
        abort(404)
    if BaseForm().validate_on_submit() and grant.revoked_at is None:
        access.revoke(grant, "withdrawn by the secretariat", current_user)
        flash(_("The manual grant is withdrawn."), "success")
    return redirect(url_for("accounts_manage.organisation", organisation_id=organisation_id))


def _audit_filters() -> tuple[audit_listing.AuditFilterForm, audit_listing.AuditFilters | None]:
    """The log's filter form, and its filters (None when a value is wrong)."""
    form = audit_listing.AuditFilterForm(request.args)
    form.set_choices()
    if not form.validate():
        return form, None
    return form, audit_listing.filters_from(form, current_user.timezone)


@bp.get("/audit-log")
def audit_log():
    """Every change audited, newest first, filtered by organisation, person, kind and dates."""
    form, filters = _audit_filters()
    if filters is None:
        return render_template("accounts_manage/audit_log.html", form=form, page=None), 400
    query = audit_listing.listing(filters)
    page = paginate(query, count_of(query), audit_listing.PER_PAGE)
    return render_template(
        "accounts_manage/audit_log.html",
        form=form,
        page=page,
        entries=audit_listing.entries(page.items),
        arguments=form.arguments(),
    )


@bp.get("/audit-log.csv")
def audit_log_export():
    _form, filters = _audit_filters()
    if filters is None:
        raise Refused(
            _("These filters are not valid: correct them on the audit log page."),
            400,
            WayForward(_("Open the audit log"), "accounts_manage.audit_log"),
        )
    rows = audit_listing.export_rows(audit_listing.listing(filters))
    return csv_response("audit-log.csv", audit_listing.EXPORT_COLUMNS, rows, stream=True)
