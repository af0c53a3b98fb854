"""Pages that are the same for every visitor, rendered once per language per process."""

import hashlib
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from cta_learning.i18n import current_language


def shared_page(view):
    """Serve visitors a copy rendered once per language, with an ETag for a 304 next time.

    Signed-in people, visitors with a message to show, form submissions and unexpected query
    arguments get a fresh rendering, so the copy never holds anything personal and the cache
    cannot grow unbounded. A form's CSRF token is put back in for each visitor.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if (
            request.method != "GET"
            or current_user.is_authenticated
            or session.get("_flashes")
            or set(request.args) - {"lang"}
            or current_app.debug
        ):
            return view(*args, **kwargs)
        cache = current_app.extensions.setdefault("cta_shared_pages", {})
        key = (request.endpoint, current_language())
        if key not in cache:
            html = view(*args, **kwargs)
            token = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""
            has_form = bool(token) and token in html
            cache[key] = (
                html.split(token) if has_form else [html],
                hashlib.sha256(html.encode()).hexdigest()[:32],
                has_form,
            )
        parts, etag, has_form = cache[key]
        if has_form:
            response = make_response(generate_csrf().join(parts))
            response.cache_control.no_store = True  # each visitor's token is their own
        else:
            response = make_response(parts[0])
            response.set_etag(etag)
            response.cache_control.max_age = 300
        response.vary.update(("Accept-Language", "Cookie"))
        return response.make_conditional(request)

    return wrapped
