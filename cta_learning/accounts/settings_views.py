"""The signed-in person's account settings (the dashboard is `cta_learning/dashboard.py`)."""

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

from cta_learning.accounts import operations
from cta_learning.accounts.forms import (
    AccountForm,
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
)
from cta_learning.accounts.two_factor import require_fresh_auth
from cta_learning.api import tokens
from cta_learning.api.forms import ApiTokenForm, RevokeApiTokenForm
from cta_learning.refusals import Refused, WayForward
from cta_learning.security import acting_user, require_role, safe_next

bp = Blueprint("settings", __name__)


@bp.route("/account", methods=["GET", "POST"])
@require_role("member")
def account():
    form = AccountForm(obj=acting_user())
    form.set_timezone_choices()
    if form.validate_on_submit():
        operations.update_account(
            acting_user(), form.name.data, form.locale.data, form.timezone.data
        )
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("settings.account"))
    return _account_page(form, ApiTokenForm(formdata=None))


def _account_page(form, token_form, created=None):
    """The account page with the person's API tokens; `created` is a new (token, secret),
    whose secret this page shows once: it is stored nowhere."""
    page = render_template(
        "settings/account.html",
        form=form,
        token_form=token_form,
        tokens=tokens.live_tokens(acting_user()),
        revoke_form=RevokeApiTokenForm(formdata=None),
        created=created,
        max_tokens=tokens.MAX_LIVE_TOKENS,
        scope_labels=tokens.SCOPE_LABELS,
    )
    return page, 200, {"Cache-Control": "no-store"} if created else {}


@bp.post("/account/api-tokens")
@require_role("member")
def create_api_token():
    form = AccountForm(formdata=None, obj=acting_user())
    form.set_timezone_choices()
    token_form = ApiTokenForm()
    if not token_form.validate():
        return _account_page(form, token_form)
    try:
        created = tokens.create_token(acting_user(), token_form.name.data, token_form.scopes.data)
    except Refused as refusal:
        back = WayForward(_("Back to your account"), "settings.account")
        raise refusal.leading_to(back) from None
    return _account_page(form, ApiTokenForm(formdata=None), created)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@require_role("member")
def revoke_api_token(token_id: int):
    token = tokens.token_of(acting_user(), token_id)  # anyone else's token: not found
    if token is None:
        abort(404)
    if not RevokeApiTokenForm().validate():
        abort(400)
    tokens.revoke_token(token, acting_user())
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("settings.account", _anchor="api-tokens"))


@bp.post("/account/language")
def language():
    """The language switcher for signed-in people (visitors use ?lang= links)."""
    choice = request.form.get("lang")
    if choice not in current_app.config["LANGUAGES"]:
        abort(400)
    target = safe_next(request.form.get("next"), "pages.home")
    if not current_user.is_authenticated:
        return redirect(f"{target}{'&' if '?' in target else '?'}lang={choice}")
    operations.set_language(acting_user(), choice)
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
            operations.request_email_change(acting_user(), form.email.data)
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
        operations.change_password(acting_user(), form.password.data)
        login_user(acting_user())  # keep this session, with the new token; the others are closed
        flash(_("Your password is changed. Your other sessions are logged out."), "success")
        return redirect(url_for("settings.account"))
    return render_template("settings/change_password.html", form=form)


@bp.get("/account/export")
@require_role("member")
def export():
    data = json.dumps(operations.export_account(acting_user()), ensure_ascii=False, indent=2)
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
        operations.delete_account(acting_user())
        logout_user()
        flash(_("Your account is deleted."), "success")
        return redirect(url_for("pages.home"))
    return render_template("settings/delete.html", form=form)
