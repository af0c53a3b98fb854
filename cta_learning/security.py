"""Security in one place: roles, safe redirects, public links, headers, error pages."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, TypeGuard
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from cta_learning.api.v1 import errors as api_errors
from cta_learning.extensions import db, login_manager

if TYPE_CHECKING:  # only for the annotation: security sits below the accounts package
    from cta_learning.accounts.models import User

# Each role includes the ones before it.
ROLES = ("member", "organiser", "admin")
STAFF_ROLES = ("organiser", "admin")  # they sign in with two steps (accounts/two_factor.py)
ROLE_LABELS = {"member": _l("member"), "organiser": _l("organiser"), "admin": _l("admin")}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; frame-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def holds_role(user: "User | AnonymousUserMixin | None", role: str) -> TypeGuard["User"]:
    """Whether the user is signed in with an account of at least the given role."""
    if not user or not user.is_authenticated:
        return False
    return ROLES.index(user.role) >= ROLES.index(role)


def signed_in() -> bool:
    """Whether the person is signed in; a request with no sign-in at all (no person in the
    session, no remember-me cookie) is answered without loading anyone (shared pages)."""
    if "_user_id" not in session and current_app.config["REMEMBER_COOKIE_NAME"] not in (
        request.cookies
    ):
        return False
    return bool(current_user.is_authenticated)


def needs_two_step(user: "User", role: str) -> bool:
    """Whether `user` must turn two-step sign-in on before acting with `role` (staff roles)."""
    return role in STAFF_ROLES and user.totp_enabled_at is None


def has_role(user: "User | AnonymousUserMixin | None", role: str) -> bool:
    """Whether the user may act with at least the given role: staff powers need two-step
    sign-in turned on, wherever they are checked (pages, rules, templates)."""
    return holds_role(user, role) and not needs_two_step(user, role)


def _two_step_required():
    """The answer to a staff member without two-step: an explanation and the set-up page."""
    flash(
        _(
            "Organisers and admins sign in with two steps. Set up two-step sign-in to open "
            "the staff pages."
        ),
        "info",
    )
    return redirect(url_for("two_factor.overview"))


def acting_user() -> "User":
    """The signed-in person as a plain User (not the proxy), to pass to operations as `by`."""
    return current_user._get_current_object()


def require_role(role: str) -> Callable:
    """Declare who may use a view: 'member' (any signed-in user), 'organiser' or 'admin'."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not holds_role(current_user, role):
                abort(403)
            if needs_two_step(current_user, role):
                return _two_step_required()
            return view(*args, **kwargs)

        # A marker for readers of the URL map: who may use this view.
        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorator


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(c in target for c in "\r\n\\")


def safe_next(target: str | None, fallback: str = "pages.home") -> str:
    return target if is_safe_next(target) else url_for(fallback)


def public_url_for(endpoint: str, **values) -> str:
    """An absolute link for emails, built from CTA_PUBLIC_URL and never from the Host header.

    Works with or without a request (web, command line, mail worker).
    """
    public = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        public.netloc, script_name=public.path.rstrip("/") or "/", url_scheme=public.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _render_error(error: HTTPException):
    code = error.code or 500
    if api_errors.in_api():  # also paths that match no route, which no blueprint answers
        return api_errors.http_error_response(error)
    if request.path.startswith("/api/"):
        return {"error": error.name, "status": code}, code
    return render_template("errors/error.html", code=code), code


def _csrf_error(error: CSRFError):
    db.session.rollback()
    if api_errors.in_api():
        message = _("The security token of this request is missing or has expired.")
        return api_errors.error_response(400, message)
    return render_template("errors/error.html", code=400, csrf=True), 400


# SQLite's result codes that mean "not now" rather than "wrong": busy, locked, I/O error,
# disk full, cannot open. Its other OperationalErrors (no such column…) are bugs: a 500.
_SQLITE_UNAVAILABLE = {5, 6, 10, 13, 14}


def _is_unavailability(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    sqlite_code = getattr(error.orig, "sqlite_errorcode", None)
    return sqlite_code is None or sqlite_code & 0xFF in _SQLITE_UNAVAILABLE


def _database_unavailable(error: DBAPIError):
    """The database does not answer: a 503 that says so, instead of a 500."""
    if not _is_unavailability(error):
        return _unexpected_error(error)
    try:
        db.session.rollback()
    except DBAPIError:
        pass  # the connection is gone; the pool will replace it
    current_app.logger.error(
        "database unavailable on %s %s: %s", request.method, request.path, error
    )
    # Render as a visitor: loading the signed-in person would need the database again.
    login_manager._update_request_context_with_user()
    if api_errors.in_api():
        return api_errors.error_response(503)
    if request.path.startswith("/api/"):
        return {"error": "Service Unavailable", "status": 503}, 503
    return render_template("errors/error.html", code=503), 503


def _unexpected_error(error: Exception):
    db.session.rollback()
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    if current_app.testing and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
        raise error
    if api_errors.in_api():
        return api_errors.error_response(500)
    return render_template("errors/error.html", code=500), 500


def _unauthorized():
    flash(_("Please log in to see this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _refuse_null_bytes():
    """NUL is never valid in a URL or query, and some databases reject it: 400 at the door."""
    if "\x00" in request.path or b"%00" in request.query_string:
        abort(400)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_null_bytes)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _render_error)
    app.register_error_handler(DBAPIError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = "basic"
