"""The pages measured, and how the runner reaches them as a browser would: plain HTTP on
loopback, redirects not followed, and the learner signed in once (the session cookie then
goes with every request of a signed-in page)."""

import html
import http.client
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

from bench.data import BENCH_PASSWORD, COURSE_SLUG, LEARNER_EMAIL
from bench.database import Landmarks
from bench.servers import BenchError

BARE = "bare"
VISITOR = "visitor"
SIGNED_IN = "signed-in"
FLOOR = "floor"  # a signed-in page with nothing of its own: measured, not judged
BARE_ROUTE = "/bench/hello"
LESSON_PAGE = f"/courses/{COURSE_SLUG}/people-on-the-move/"
QUIZ_PAGE = f"/courses/{COURSE_SLUG}/chapter-1-quiz/"
# The repository with three filters: a priority area (a join on action_priorities), a region
# (on the organisation) and a start year.
FILTERED_REPOSITORY = "/actions/?priority=3&region=africa&year=2023"
# The events list with what a visitor picks: a priority area, a kind and a language of
# interpretation (about 20 upcoming events at 1x: a full first page).
FILTERED_EVENTS = "/events/?priority=3&kind=workshop&language=fr"
# Only a signed-in person's copy of any page holds the form to log out.
SIGNED_IN_LAYOUT = 'action="/logout"'


@dataclass(frozen=True)
class Target:
    """One page measured: a name that stays the same at every scale (ids in paths change), its
    path, its category (which targets apply), and for a signed-in page a text only the
    learner's own copy holds."""

    name: str
    path: str
    category: str = VISITOR
    marker: str = ""

    @property
    def as_learner(self) -> bool:
        return self.category in (SIGNED_IN, FLOOR)


def _page(path: str) -> Target:
    return Target(path, path)


def targets(landmarks: Landmarks) -> tuple[Target, ...]:
    """Every page measured, in order, the bare route first (the others are compared with it)."""
    syllabus = f"/courses/{COURSE_SLUG}/"
    return (
        Target(BARE_ROUTE, BARE_ROUTE, BARE),
        *map(_page, ("/", "/priorities", "/login", "/courses/")),
        Target("syllabus", syllabus),
        _page("/actions/"),
        Target("repository, filtered", FILTERED_REPOSITORY),
        Target("an action", f"/actions/{landmarks.action_id}"),
        _page("/events/"),
        Target("events, filtered", FILTERED_EVENTS),
        Target("an event", f"/events/{landmarks.event_id}"),
        Target("a certificate", f"/certificates/{landmarks.certificate_code}"),
        _page("/figures"),  # the Call in figures: every count of the annual report
        Target("signed-in floor", "/bench/signed-in", FLOOR, SIGNED_IN_LAYOUT),
        Target("lesson", LESSON_PAGE, SIGNED_IN, f'action="{LESSON_PAGE}done"'),
        Target("quiz", QUIZ_PAGE, SIGNED_IN, f'action="{QUIZ_PAGE}answers"'),
        Target("dashboard", "/dashboard", SIGNED_IN, html.escape(landmarks.learner_name)),
        Target("my events", "/events/mine", SIGNED_IN, html.escape(landmarks.learner_event_title)),
        Target("my actions", "/my/actions/", SIGNED_IN, html.escape(landmarks.learner_draft_title)),
        # Nothing on it is personal today: the signed-in layout is what tells the copies apart.
        Target("mailing list", "/mailing/", SIGNED_IN, SIGNED_IN_LAYOUT),
    )


@dataclass
class Answer:
    """One HTTP response, read whole."""

    status: int
    headers: http.client.HTTPMessage
    body: str


def http_request(
    url: str, headers: dict[str, str], method: str = "GET", body: str | None = None
) -> Answer:
    """One request to the loopback server, redirects not followed (a page that sends a visitor
    to /login must not pass for the page itself)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode(errors="replace"))
    finally:
        connection.close()


def fetch_status(url: str, headers: dict[str, str]) -> int:
    """The HTTP status of one GET, redirects not followed."""
    return http_request(url, headers).status


class CookieJar:
    """The cookies a browser would send back to the server: names and values only."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def update(self, answer: Answer) -> None:
        """Keep what the response sets; an empty value deletes the cookie."""
        for header in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.values[name] = morsel.value
                else:
                    self.values.pop(name, None)

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.values.items())


# The hidden field WTForms renders, its attributes in either order.
_CSRF_FIELD = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def sign_in(base_url: str, headers: dict[str, str]) -> str:
    """Sign in as the learner, as a browser would; the Cookie header to send with each request.

    GET /login (session cookie and CSRF token), POST the form, then follow the redirect once,
    so that the welcome message is shown and leaves the session: the cookie wrk sends is the
    one a learner has while reading. Login is rate-limited (10 POSTs a minute): one is sent.
    """
    jar = CookieJar()
    form = http_request(base_url + "/login", headers)
    jar.update(form)
    token = _CSRF_FIELD.search(form.body)
    if form.status != 200 or token is None:
        raise BenchError(f"GET /login answered {form.status} without a CSRF token")
    fields = {
        "csrf_token": html.unescape(token.group(1) or token.group(2)),
        "email": LEARNER_EMAIL,
        "password": BENCH_PASSWORD,
    }
    posted = http_request(
        base_url + "/login",
        {
            **headers,
            "Cookie": jar.header(),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
        body=urllib.parse.urlencode(fields),
    )
    jar.update(posted)
    location = posted.headers.get("Location", "")
    if posted.status != 302 or "/login" in location:
        raise BenchError(f"signing in as {LEARNER_EMAIL} failed: {posted.status} to {location!r}")
    landing = http_request(
        urllib.parse.urljoin(base_url + "/login", location), {**headers, "Cookie": jar.header()}
    )
    jar.update(landing)
    if landing.status != 200:
        raise BenchError(f"after signing in, {location} answered {landing.status}")
    return jar.header()


def check_page(base_url: str, target: Target, headers: dict[str, str]) -> float:
    """The page answers 200 (for a signed-in page, with the learner's own copy); the ms the
    request took. A note if a signed-in page rewrites the session on every request."""
    started = time.perf_counter()
    answer = http_request(base_url + target.path, headers)
    elapsed_ms = (time.perf_counter() - started) * 1000
    who = "the learner" if target.as_learner else "a visitor"
    if answer.status != 200:
        raise BenchError(f"{target.path} answers {answer.status} to {who}, not 200")
    if target.marker not in answer.body:
        raise BenchError(
            f"{target.path} is not the learner's own copy (no {target.marker!r} in it):"
            " not signed in, or the data set gives the learner nothing to show?"
        )
    if target.as_learner and answer.headers.get_all("Set-Cookie"):
        print(f"  note: {target.path} sets a cookie on every request", file=sys.stderr)
    return round(elapsed_ms, 1)
