"""Two-step sign-in pages: the code after the password, re-authentication, and set-up."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.security import check_password_hash

from cta_learning.accounts import operations, two_factor
from cta_learning.accounts.forms import CodeForm, ReauthForm
from cta_learning.accounts.models import User
from cta_learning.accounts.two_factor import require_fresh_auth
from cta_learning.database import utcnow
from cta_learning.extensions import limiter
from cta_learning.forms import BaseForm
from cta_learning.security import STAFF_ROLES, acting_user, require_role, safe_next

bp = Blueprint("two_factor", __name__)

_limit_codes = limiter.limit(lambda: current_app.config["TWO_FACTOR_RATE_LIMIT"], methods=["POST"])


def _private(body: str, status: int = 200):
    """A page showing secrets: never kept by a cache or the browser's history."""
    return body, status, {"Cache-Control": "no-store"}


def _code_refused(form) -> None:
    form.code.errors.append(_("This code is not right, or it was already used."))


def _too_many_tries(user: User) -> int:
    wait = two_factor.wait_seconds(user, utcnow())
    if wait:
        flash(
            _("Too many wrong codes. Try again in %(minutes)d minutes.", minutes=-(-wait // 60)),
            "error",
        )
    return wait


@bp.route("/login/verify", methods=["GET", "POST"])
@_limit_codes
def verify():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.show"))
    pending = two_factor.pending_login()
    if pending is None:
        flash(_("Please log in again: the sign-in took too long."), "info")
        return redirect(url_for("auth.login"))
    user, remember, next_url = pending
    form = CodeForm()
    if form.validate_on_submit():
        if _too_many_tries(user):
            two_factor.drop_pending_login()
            return redirect(url_for("auth.login"))
        if two_factor.check_code(user, form.code.data):
            operations.record_login(user)
            two_factor.drop_pending_login()
            login_user(user, remember=remember)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(next_url, "dashboard.show"))
        if two_factor.must_start_over(user):
            two_factor.drop_pending_login()
            flash(_("Too many wrong codes. Log in again."), "error")
            return redirect(url_for("auth.login"))
        _code_refused(form)
    return render_template("two_factor/verify.html", form=form)


@bp.route("/reauth", methods=["GET", "POST"])
@require_role("member")
@_limit_codes
def reauth():
    user, form = acting_user(), ReauthForm()
    with_code = two_factor.is_enabled(user)
    if form.validate_on_submit() and not _too_many_tries(user):
        if with_code:
            confirmed = bool(form.code.data) and two_factor.check_code(user, form.code.data)
            if not confirmed:
                _code_refused(form)
        else:
            confirmed = check_password_hash(user.password_hash, form.password.data or "")
            if not confirmed:
                form.password.errors.append(_("This is not your current password."))
        if confirmed:
            two_factor.mark_fresh()
            return redirect(safe_next(request.args.get("next"), "settings.account"))
    return render_template("two_factor/reauth.html", form=form, with_code=with_code)


@bp.get("/account/two-step")
@require_role("member")
def overview():
    user = acting_user()
    return render_template(
        "two_factor/overview.html",
        enabled=two_factor.is_enabled(user),
        remaining=two_factor.remaining_recovery_codes(user) if two_factor.is_enabled(user) else 0,
        is_staff=user.role in STAFF_ROLES,
        form=BaseForm(),
    )


@bp.post("/account/two-step/start")
@require_role("member")
@require_fresh_auth
def start():
    if not BaseForm().validate_on_submit():
        flash(_("The form has expired. Please submit it again."), "error")
    elif two_factor.is_enabled(acting_user()):
        flash(_("Two-step sign-in is already on."), "info")
    else:
        two_factor.start_enrolment(acting_user())
        return redirect(url_for("two_factor.confirm"))
    return redirect(url_for("two_factor.overview"))


@bp.route("/account/two-step/confirm", methods=["GET", "POST"])
@require_role("member")
@require_fresh_auth
def confirm():
    user = acting_user()
    secret = two_factor.secret_of(user)
    if two_factor.is_enabled(user) or secret is None:
        return redirect(url_for("two_factor.overview"))
    form = CodeForm()
    if form.validate_on_submit():
        codes = two_factor.confirm_enrolment(user, form.code.data)
        if codes is not None:
            flash(_("Two-step sign-in is on."), "success")
            return _private(render_template("two_factor/recovery_codes.html", codes=codes))
        form.code.errors.append(
            _("This code is not right. Check the time of your phone and enter the new code.")
        )
    uri = two_factor.provisioning_uri(user, secret)
    page = render_template(
        "two_factor/confirm.html",
        form=form,
        qr_code=two_factor.qr_code(uri),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )
    return _private(page)


@bp.post("/account/two-step/recovery-codes")
@require_role("member")
@require_fresh_auth
def recovery_codes():
    user = acting_user()
    if not BaseForm().validate_on_submit() or not two_factor.is_enabled(user):
        return redirect(url_for("two_factor.overview"))
    codes = two_factor.new_recovery_codes(user)
    flash(_("Your new recovery codes replace the previous ones."), "success")
    return _private(render_template("two_factor/recovery_codes.html", codes=codes))


@bp.post("/account/two-step/disable")
@require_role("member")
@require_fresh_auth
def disable():
    user = acting_user()
    if not BaseForm().validate_on_submit() or not two_factor.is_enabled(user):
        return redirect(url_for("two_factor.overview"))
    try:
        two_factor.disable(user, user)
    except two_factor.TwoFactorError:
        flash(_("Organisers and admins keep two-step sign-in on."), "error")
    else:
        flash(_("Two-step sign-in is off."), "success")
    return redirect(url_for("two_factor.overview"))
