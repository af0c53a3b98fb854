"""Sign-up, email confirmation, log in and out, and password reset."""

from datetime import datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cta_learning.accounts import login_throttle, operations, two_factor
from cta_learning.accounts.forms import EmailOnlyForm, LoginForm, ResetPasswordForm, SignupForm
from cta_learning.accounts.models import Membership, User
from cta_learning.caching import shared_page
from cta_learning.database import utcnow
from cta_learning.extensions import db, limiter, login_manager
from cta_learning.i18n import current_language
from cta_learning.security import require_role, safe_next
from cta_learning.timezones import guessed_timezone

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    if not session_token or len(session_token) > 64:
        return None
    # One query for the person, their membership and organisation, which most pages show.
    user = db.session.scalar(
        select(User)
        .where(User.session_token == session_token)
        .options(joinedload(User.membership).joinedload(Membership.organisation))
    )
    return user if user is not None and user.is_active else None


def _limit(name: str):
    return limiter.limit(lambda: current_app.config[name], methods=["POST"])


@bp.route("/signup", methods=["GET", "POST"])
@_limit("SIGNUP_RATE_LIMIT")
@shared_page(varies=guessed_timezone)  # a copy per time zone preselected
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.show"))
    form = SignupForm()
    form.set_timezone_choices()
    if request.method == "GET":
        form.locale.data = current_language()
        form.timezone.data = guessed_timezone()
    if form.validate_on_submit():
        # A taken address gets the same answer; its owner is told by email instead.
        operations.create_user(
            form.name.data,
            form.email.data,
            form.password.data,
            form.locale.data,
            form.timezone.data,
        )
        return _link_sent(form.email.data, "signup")
    return render_template("auth/signup.html", form=form)


SENT_KINDS = ("signup", "confirm", "reset")


def _link_sent(email: str, kind: str):
    """Redirect after the POST to the "check your inbox" page; the address stays in the
    session, out of the URL (and so out of logs and browser history)."""
    session["link_sent"] = {"email": email, "kind": kind}
    return redirect(url_for("auth.check_email"), code=303)


@bp.get("/check-email")
def check_email():
    sent = session.get("link_sent")
    if not isinstance(sent, dict) or sent.get("kind") not in SENT_KINDS:
        sent = {"email": None, "kind": "signup"}
    return render_template("auth/check_email.html", email=sent.get("email"), kind=sent["kind"])


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    user = operations.confirm_email(token)
    if user is None:
        flash(
            _(
                "This confirmation link is invalid, used or expired. If your address is not "
                "confirmed yet, ask for a new link below."
            ),
            "error",
        )
        return redirect(url_for("auth.resend_confirmation"))
    flash(_("Your email address is confirmed. You can log in."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = operations.find_user_by_email(form.email.data)
        if user is not None and user.email_confirmed_at is None and user.is_active:
            operations.send_confirmation(user)
        return _link_sent(form.email.data, "confirm")
    return render_template(
        "auth/request_link.html",
        form=form,
        heading=_("Confirm your email address"),
        intro=_("Enter the address you signed up with and we will send a new confirmation link."),
    )


@bp.route("/login", methods=["GET", "POST"])
@_limit("LOGIN_RATE_LIMIT")
@shared_page()
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), "dashboard.show"))
    form = LoginForm()
    if form.validate_on_submit():
        blocked_until = login_throttle.claim_turn(form.email.data)
        if blocked_until is not None:
            return _blocked(form, blocked_until)
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None or not user.is_active:
            form.password.errors.append(_("The email address or the password is not right."))
        elif user.email_confirmed_at is None:
            flash(_("Confirm your email address first: we have sent you a link."), "error")
            return redirect(url_for("auth.resend_confirmation"))
        elif two_factor.is_enabled(user):  # the code completes the login
            next_url = safe_next(request.args.get("next"), "dashboard.show")
            two_factor.begin_pending_login(user, form.remember.data, next_url)
            return redirect(url_for("two_factor.verify"))
        else:
            operations.record_login(user)
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next"), "dashboard.show"))
    return render_template("auth/login.html", form=form)


def _blocked(form: LoginForm, until: datetime):
    """Too many failures for this address: no password is checked until `until`."""
    wait = until - utcnow()
    flash(
        _(
            "Too many failed attempts to log in with this address. Try again %(when)s, or "
            "reset your password by email: that works at once.",
            when=format_timedelta(wait, add_direction=True),
        ),
        "error",
    )
    retry_after = str(max(1, int(wait.total_seconds()) + 1))
    return render_template("auth/login.html", form=form), 429, {"Retry-After": retry_after}


@bp.post("/logout")
@require_role("member")
def logout():
    operations.sign_out_everywhere(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
@shared_page()
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        return _link_sent(form.email.data, "reset")
    return render_template(
        "auth/request_link.html",
        form=form,
        heading=_("Forgot your password?"),
        intro=_("Enter your email address and we will send you a link to choose a new password."),
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_password(token: str):
    user = operations.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid, used or expired. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        operations.change_password(user, form.password.data)
        logout_user()
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
