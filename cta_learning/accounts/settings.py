"""The signed-in person's dashboard and account settings."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash

from cta_learning.access import BENEFIT_LABELS, access_for
from cta_learning.accounts import operations
from cta_learning.accounts.forms import (
    AccountForm,
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
)
from cta_learning.accounts.two_factor import require_fresh_auth
from cta_learning.actions.operations import recent_actions
from cta_learning.community.events.registrations import upcoming_for
from cta_learning.community.events.rules import recommended_events
from cta_learning.community.mgi.operations import latest_request
from cta_learning.courses.operations import learner_courses
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.security import require_role, safe_next

bp = Blueprint("settings", __name__)


def _me():
    return current_user._get_current_object()


@bp.get("/dashboard")
@require_role("member")
def dashboard():
    membership = current_user.membership
    organisation = membership.organisation if membership else None
    return render_template(
        "settings/dashboard.html",
        membership=membership,
        access=access_for(organisation),
        benefit_labels=BENEFIT_LABELS,
        actions=recent_actions(organisation) if organisation else [],
        courses=learner_courses(current_user),
        mgi_request=latest_request(organisation),
        **_events(organisation),
    )


def _events(organisation) -> dict:
    """The person's next events, and upcoming ones in their organisation's priority areas."""
    now = utcnow()
    mine = upcoming_for(current_user, now)
    taken = {event.id for _registration, event in mine}
    suggested = [
        event for event in recommended_events(organisation, now, limit=6) if event.id not in taken
    ]
    return {"my_events": mine, "recommended_events": suggested[:3]}


@bp.route("/account", methods=["GET", "POST"])
@require_role("member")
def account():
    form = AccountForm(obj=_me())
    form.set_timezone_choices()
    if form.validate_on_submit():
        operations.update_account(_me(), form.name.data, form.locale.data, form.timezone.data)
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("settings.account"))
    return render_template("settings/account.html", form=form)


@bp.post("/account/language")
def language():
    """The language switcher for signed-in people (visitors use ?lang= links)."""
    choice = request.form.get("lang")
    if choice not in current_app.config["LANGUAGES"]:
        abort(400)
    target = safe_next(request.form.get("next"), "pages.home")
    if not current_user.is_authenticated:
        return redirect(f"{target}{'&' if '?' in target else '?'}lang={choice}")
    operations.set_language(_me(), choice)
    db.session.commit()
    return redirect(target)


def _password_is_right(form) -> bool:
    if check_password_hash(current_user.password_hash, form.current_password.data):
        return True
    form.current_password.errors.append(_("This is not your current password."))
    return False


@bp.route("/account/email", methods=["GET", "POST"])
@require_role("member")
@require_fresh_auth
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit() and _password_is_right(form):
        if form.email.data == current_user.email:
            form.email.errors.append(_("This is already your email address."))
        else:
            # The same answer when another account uses the address: its owner is told.
            operations.request_email_change(_me(), form.email.data)
            db.session.commit()
            flash(
                _(
                    "We have sent a confirmation link to %(email)s. Your address changes "
                    "when you open it.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for("settings.account"))
    return render_template("settings/change_email.html", form=form)


@bp.get("/account/email/confirm/<token>")
def confirm_email_change(token: str):
    user = operations.confirm_email_change(token)
    if user is None:
        flash(_("This confirmation link is invalid, used or expired."), "error")
        return redirect(url_for("pages.home"))
    db.session.commit()
    logout_user()
    flash(
        _("Your email address is now %(email)s. Log in again with it.", email=user.email), "success"
    )
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@require_role("member")
@require_fresh_auth
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit() and _password_is_right(form):
        operations.change_password(_me(), form.password.data)
        db.session.commit()
        login_user(_me())  # keep this session, with the new token; the others are closed
        flash(_("Your password is changed. Your other sessions are logged out."), "success")
        return redirect(url_for("settings.account"))
    return render_template("settings/change_password.html", form=form)


@bp.get("/account/export")
@require_role("member")
def export():
    data = json.dumps(operations.export_account(_me()), ensure_ascii=False, indent=2)
    return Response(
        data,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=cta-learning-account.json"},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@require_role("member")
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit() and _password_is_right(form):
        operations.delete_account(_me())
        db.session.commit()
        logout_user()
        flash(_("Your account is deleted."), "success")
        return redirect(url_for("pages.home"))
    return render_template("settings/delete.html", form=form)
