"""Public pages, shared by every visitor: light, rendered once per language, no database query."""

import hashlib
from functools import wraps

from flask import Blueprint, current_app, jsonify, make_response, render_template, request, session
from flask_login import current_user

from cta_learning import content
from cta_learning.database import database_status
from cta_learning.i18n import current_language

bp = Blueprint("pages", __name__)


def shared_page(view):
    """Serve visitors a copy rendered once per language, with an ETag for a 304 next time.

    Signed-in people, visitors with a message to show, and unexpected query arguments get
    a fresh rendering, so the copy never holds anything personal and cannot grow unbounded.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if (
            current_user.is_authenticated
            or session.get("_flashes")
            or set(request.args) - {"lang"}
            or current_app.debug
        ):
            return view(*args, **kwargs)
        cache = current_app.extensions.setdefault("cta_shared_pages", {})
        key = (request.endpoint, current_language())
        if key not in cache:
            html = view(*args, **kwargs)
            cache[key] = (html, hashlib.sha256(html.encode()).hexdigest()[:32])
        html, etag = cache[key]
        response = make_response(html)
        response.set_etag(etag)
        response.vary.update(("Accept-Language", "Cookie"))
        response.cache_control.max_age = 300
        return response.make_conditional(request)

    return wrapped


@bp.get("/")
@shared_page
def home():
    return render_template("pages/home.html")


@bp.get("/priorities")
@shared_page
def priorities():
    return render_template(
        "pages/priorities.html", priorities=content.priorities(), language=current_language()
    )


@bp.get("/faq")
@shared_page
def faq():
    return render_template("pages/faq.html", sections=content.faq(), language=current_language())


@bp.get("/healthz")
def healthz():
    status = database_status()
    response = jsonify(status="ok" if status == "ok" else "degraded", database=status)
    response.status_code = 200 if status == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
