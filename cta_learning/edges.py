"""The request's edges in one place: one commit, one rollback, one answer to a refusal.

A request that changed data is committed once, here, when its response is a success (status
below 400: 2xx and 3xx), before the response leaves, so a page never says "saved" for what
was not, and a session token is stored before its cookie is sent. An error status, an
exception or a refusal rolls everything back (Flask-SQLAlchemy's teardown also discards what
is left). Views, manage pages and operations never commit; CLI commands, the mail worker and
the demo commit themselves, and the few commits that must happen mid-request live in their
operation module with the reason (`accounts/login_throttle.claim_turn`).
"""

from flask import Flask, Response, current_app, render_template, request, url_for
from flask import session as session_cookie

from cta_learning.api.v1.errors import error_response
from cta_learning.extensions import db
from cta_learning.refusals import Refused


def _commit_or_roll_back(response: Response) -> Response:
    """Commit what a successful request changed; roll back what a failed one did."""
    if not db.session.registry.has():  # no database work at all (static files, health)
        return response
    session = db.session()
    if not session.in_transaction():
        return response
    if response.status_code >= 400:
        session.rollback()
        return response
    try:
        session.commit()
    except Exception as error:  # e.g. IntegrityError: the proper error page, not the success
        session.rollback()
        # Nor the success's cookie: back to the session the request came with (no log-in,
        # no "saved" message for what was not saved).
        sent = current_app.session_interface.open_session(current_app, request)
        session_cookie.clear()
        session_cookie.update(sent or {})
        return current_app.make_response(current_app.handle_user_exception(error))
    return response


def _refused(refusal: Refused):
    """A rule said no: the error page with the reason and the way forward, or JSON for the
    API; nothing of the request is kept."""
    db.session.rollback()
    if request.path.startswith("/api/"):  # /api/v1 (the webhook answers its own refusals)
        return error_response(refusal.status, str(refusal.message), refusal.details, refusal.code)
    forward = None
    if refusal.forward is not None:
        target = url_for(refusal.forward.endpoint, **refusal.forward.values)
        forward = {"label": refusal.forward.label, "url": target}
    page = render_template(
        "errors/error.html", code=refusal.status, message=refusal.message, forward=forward
    )
    return page, refusal.status


def init_app(app: Flask) -> None:
    """Register the edges; call it last, so the commit runs before the other after-request
    hooks (they run in reverse order) and they see the final response."""
    app.register_error_handler(Refused, _refused)
    app.after_request(_commit_or_roll_back)
