"""Who calls the personal API operations, in one place: a personal token or the session.

`Authorization: Bearer cta_…` names a token (looked up by the SHA-256 of the secret, so the
lookup takes the same time whatever is sent); without that header, the signed-in session is
used, and for writes its CSRF token must come in the X-CSRFToken header (a token request
carries no cookie a third-party page could borrow, so it needs none). A token acts within its
scopes; the session may do all its owner may. Wrong tokens are counted per address and each
token has its own rate limit, besides the API's limit per address.

Operations declare themselves with `@personal("read")` under `@endpoint(..., security=True)`;
the check runs before the operation's arguments are read, so a caller without credentials
hears 401 whatever else is wrong.
"""

import logging
from collections.abc import Callable

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from limits import RateLimitItem, parse_many
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import TooManyRequests

from cta_learning.accounts.models import Membership, User
from cta_learning.api.tokens import find_live_token, note_use
from cta_learning.api.v1.errors import error_response
from cta_learning.api.v1.framework import bp
from cta_learning.database import utcnow
from cta_learning.extensions import csrf, db, limiter, login_manager

log = logging.getLogger(__name__)

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# CSRF is checked below: for session callers only, and for every write to any API operation.
csrf.exempt(bp)


def personal(scope: str) -> Callable:
    """Declare a personal operation and the token scope it needs ('read', 'registrations')."""

    def mark(view: Callable) -> Callable:
        view.api_scope = scope  # type: ignore[attr-defined]
        return view

    return mark


def _unauthorized(message: str, invalid_token: bool):
    response = error_response(401, message)
    challenge = 'Bearer realm="CTA Learning"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def _within(limit_setting: str, *identifiers: str, count: bool = True) -> bool:
    """Whether the caller stays within the configured limit (and count this request); a
    rate-limit store that fails costs only the limit, like the rest of the app's limits."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    items: list[RateLimitItem] = parse_many(current_app.config[limit_setting])
    try:
        strategy = limiter.limiter
        check = strategy.hit if count else strategy.test
        return all([check(item, "api", *identifiers) for item in items])
    except Exception:
        log.warning("rate-limit store unavailable for %s", limit_setting, exc_info=True)
        return True


def _address() -> str:
    return request.remote_addr or "unknown"


def _token_caller(header: str):
    """The token's owner, or the answer that refuses the request."""
    if not _within("API_AUTH_FAILURE_LIMIT", "failures", _address(), count=False):
        raise TooManyRequests(retry_after=60)
    scheme, _space, secret = header.partition(" ")
    token = None
    if scheme.lower() == "bearer" and secret.strip():
        token = find_live_token(secret.strip())
    if token is None:
        _within("API_AUTH_FAILURE_LIMIT", "failures", _address())
        return None, _unauthorized(_("This API token is not valid or has been revoked."), True)
    if not _within("API_TOKEN_RATE_LIMIT", "token", str(token.id)):
        raise TooManyRequests(retry_after=60)
    # One query for the person, their membership and organisation, like a signed-in page.
    owner = db.session.scalar(
        select(User)
        .where(User.id == token.user_id)
        .options(joinedload(User.membership).joinedload(Membership.organisation))
    )
    if owner is None or not owner.is_active:
        return None, _unauthorized(_("This API token is not valid or has been revoked."), True)
    note_use(token, utcnow())
    return (owner, token), None


def _refusal(scope: str):
    """None when the caller may run an operation needing `scope`, else the refusal."""
    header = request.headers.get("Authorization")
    if header is not None:
        caller, refusal = _token_caller(header)
        if refusal is not None:
            return refusal
        owner, token = caller
        # The person acts through the token for this request only: no session is opened.
        login_manager._update_request_context_with_user(owner)
        if scope not in token.scopes:
            return error_response(
                403,
                _("This API token may not do this: it lacks the “%(scope)s” scope.", scope=scope),
            )
        return None
    if not current_user.is_authenticated:
        return _unauthorized(_("Sign in or send a valid API token."), False)
    if request.method in WRITE_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # CSRFError: a 400 in the API's shape
    return None


@bp.before_request
def _authenticate():
    """Check who calls a personal operation, before it reads its arguments."""
    view = current_app.view_functions.get(request.endpoint or "")
    scope = getattr(view, "api_scope", None)
    if scope is not None:
        return _refusal(scope)
    if request.method in WRITE_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # writes that are not personal keep the usual CSRF check
    return None
