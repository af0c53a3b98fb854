"""The page's header and footer, rendered once per language and kind of person in each process.

They are the same on every page but for three values: the CSRF token of the log-out and
language forms, the page a language switch leads back to, and a visitor's language links.
Those are rendered as holes and filled for each request, so a page no longer pays for about
fifteen translations and links of its header and footer (a third of a signed-in page's cost).
The header holds nothing else personal: what differs between people is only whether they are
signed in and which staff roles they hold, which are in the key.
"""

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from cta_learning import i18n
from cta_learning.security import holds_role

_HOLE = re.compile("\x00([a-z_]+):([^\x00]*)\x00")


def _hole(name: str) -> Callable[..., Markup]:
    def make(argument: str = "") -> Markup:
        return Markup(f"\x00{name}:{argument}\x00")  # noqa: S704 - a placeholder, filled below

    return make


def _accepts_get(path: str) -> bool:
    try:
        current_app.url_map.bind(request.host).match(path, method="GET")
    except HTTPException:  # not found, GET not allowed, or redirected elsewhere
        return False
    return True


def language_return_path() -> str:
    """Where switching language leads back: this page, or, after a form was sent to an address
    that only takes POST, the page the form came from (else the home page)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    if _accepts_get(request.path):
        return request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and _accepts_get(referrer.path):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("pages.home")


def url_with_language(language: str) -> str:
    path = language_return_path()
    parts = urlsplit(path)
    args = dict(parse_qsl(parts.query))
    args["lang"] = language
    return f"{parts.path}?{urlencode(sorted(args.items()))}"


def _fillers() -> dict[str, Callable[[str], str]]:
    return {
        "csrf_token": lambda _argument: generate_csrf(),
        "language_return_path": lambda _argument: language_return_path(),
        "url_with_language": url_with_language,
    }


def _person_kind() -> tuple[bool, ...]:
    if not current_user.is_authenticated:
        return ()
    return (True, holds_role(current_user, "organiser"), holds_role(current_user, "admin"))


def _fragment(template: str) -> Markup:
    """`template` rendered once per language and kind of person, its holes filled for this
    request."""
    if current_app.debug:  # templates reload as they change
        return Markup(render_template(template))  # noqa: S704 - autoescaped template
    key = (template, i18n.current_language(), _person_kind())
    kept = current_app.extensions.setdefault("cta_chrome", {})
    if key not in kept:
        kept[key] = render_template(template, **{name: _hole(name) for name in _fillers()})
    fillers = _fillers()
    return Markup(  # noqa: S704 - autoescaped template, values escaped
        _HOLE.sub(lambda hole: str(escape(fillers[hole[1]](hole[2]))), kept[key])
    )


def site_header() -> Markup:
    return _fragment("_site_header.html")


def site_footer() -> Markup:
    return _fragment("_site_footer.html")
