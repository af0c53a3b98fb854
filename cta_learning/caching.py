"""Pages that are the same for every visitor: rendered once per change, shared by every worker.

A visitor's copy of a page depends only on the page's address (its arguments and the query
arguments it declares), the language, the release (templates, translations and content on disk)
and the content versions it declares (see `content_versions`): the key carries all of them, so
an action published on one server is on every server's next copy, and a deploy never serves
the previous release's pages. The copies live in the shared cache (Redis when configured).

Signed-in people, visitors with a message to show, requests with undeclared or very long query
arguments, and answers other than 200 are rendered as usual: the cache never holds anything
personal and cannot be filled with arbitrary addresses. A form's CSRF token is put back in for
each visitor. Each copy has an ETag, so a browser that has it gets a 304. Each process also
keeps the copies it served last, in front of the shared cache.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

from flask import Response, current_app, request, session
from flask_wtf.csrf import generate_csrf

from cta_learning import content_versions
from cta_learning.extensions import cache_get, cache_set
from cta_learning.i18n import current_language
from cta_learning.security import signed_in

# Longer query strings are rendered but not kept: nobody shares such an address.
MAX_CACHED_QUERY = 300
# What a page is built from besides the code: a change in any of these is a new release.
RELEASE_FOLDERS = ("templates", "content", "cta_learning/translations")
# Copies each process keeps in front of the shared cache (pages of 10 to 40 kB).
LOCAL_COPIES = 64
# Pages without content versions (home, priorities, forms) may be kept by browsers this long.
STATIC_PAGE_MAX_AGE = 300


@lru_cache(maxsize=4)
def release_fingerprint(root: str) -> str:
    """A hash of the files pages are rendered from, the same on every server of a release."""
    digest = hashlib.sha256()
    for folder in RELEASE_FOLDERS:
        for path in sorted((Path(root) / folder).rglob("*")):
            if path.is_file() and path.suffix not in (".pyc", ".po", ".pot"):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _query_part(arguments: Collection[str]) -> str | None:
    """The declared query arguments in a canonical order; None when the copy is not shared."""
    if len(request.query_string) > MAX_CACHED_QUERY:
        return None
    if set(request.args) - set(arguments) - {"lang"}:
        return None
    names = sorted(set(request.args))
    return "&".join(f"{name}={value}" for name in names for value in request.args.getlist(name))


def _page_key(
    versions: tuple[str, ...],
    arguments: Collection[str],
    fresh_for: int,
    varies: Callable[[], str] | None = None,
) -> str | None:
    query = _query_part(arguments)
    if query is None:
        return None
    numbers = content_versions.current_many(versions) if versions else ()
    bucket = int(time.time() // fresh_for) if fresh_for else 0
    parts = (
        current_app.config["RELEASE"],
        request.endpoint,
        current_language(),
        repr(sorted((request.view_args or {}).items())),
        query,
        repr(numbers),
        str(bucket),
        varies() if varies is not None else "",
    )
    return "page:" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]


def _is_personal() -> bool:
    return bool(
        request.method != "GET" or signed_in() or session.get("_flashes") or current_app.debug
    )


def _copy_of(rendered: Any) -> tuple | None:
    """What to keep of a view's answer: only a plain 200 page is shared."""
    if isinstance(rendered, str):
        html = rendered
    elif (
        isinstance(rendered, Response)
        and rendered.status_code == 200
        and rendered.mimetype == "text/html"
        and not rendered.direct_passthrough
        and not rendered.headers.get("Set-Cookie")
    ):
        html = rendered.get_data(as_text=True)
    else:
        return None
    token = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""
    has_form = bool(token) and token in html
    rendered_at = datetime.now(UTC).replace(microsecond=0)
    etag = hashlib.sha256(html.encode()).hexdigest()[:32]
    return (html.split(token) if has_form else [html], etag, has_form, rendered_at)


def _keep_locally(local: OrderedDict, key: str, copy: tuple) -> None:
    """Keep the most used copies in the process too: a key names one content, so a copy kept
    here is as fresh as the shared one, and costs no round trip to Redis."""
    local[key] = copy
    while len(local) > LOCAL_COPIES:
        local.popitem(last=False)  # the oldest kept


VARY = "Accept-Language, Cookie"


def _answer(copy: tuple, versioned: bool) -> Response:
    """The copy, or a 304 when the browser already holds it (its ETag is enough: no page is
    served by ranges, so werkzeug's fuller `make_conditional` is not needed)."""
    parts, etag, has_form, rendered_at = copy
    if has_form:
        response = Response(generate_csrf().join(parts), mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"  # each visitor's token is their own
    else:
        fresh = request.if_none_match.contains(etag)
        response = Response(
            None if fresh else parts[0], 304 if fresh else 200, mimetype="text/html"
        )
        response.set_etag(etag)
        response.last_modified = rendered_at
        response.headers["Cache-Control"] = (
            "no-cache" if versioned else f"max-age={STATIC_PAGE_MAX_AGE}"
        )  # no-cache: kept by the browser, but checked again at each visit
    response.headers["Vary"] = VARY
    return response


def shared_page(
    *versions: str,
    arguments: Collection[str] = (),
    fresh_for: int = 0,
    varies: Callable[[], str] | None = None,
) -> Callable[[Callable], Callable]:
    """Serve visitors a shared copy of the page, rendered again when `versions` change.

    `arguments` names the query arguments the page reads (filters, page number); `fresh_for`
    (seconds) renders again at least that often, for pages that change with the clock;
    `varies` returns what else of the request the page shows (a copy for each value; it must
    come from a short list, like the time zone guessed from Accept-Language).
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if _is_personal():
                return view(*args, **kwargs)
            key = _page_key(versions, arguments, fresh_for, varies)
            if key is None:
                return view(*args, **kwargs)
            local = current_app.extensions.setdefault("cta_shared_pages", OrderedDict())
            copy = local.get(key)
            if copy is None:
                copy = cache_get(key)
                if copy is None:
                    rendered = view(*args, **kwargs)
                    copy = _copy_of(rendered)
                    if copy is None:
                        return rendered
                    cache_set(key, copy)
                _keep_locally(local, key, copy)
            return _answer(copy, versioned=bool(versions or fresh_for))

        return wrapped

    return decorate
