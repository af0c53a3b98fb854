"""Registrations under real concurrency: many people at once, over HTTP, on a multi-worker server.

Gunicorn (4 processes of 8 threads) serves `cta_learning.wsgi:app` on the test's own database,
with CSRF on. Each person logs in with a cookie jar of their own; a barrier then releases all
the requests together. While they run, a watcher polls the database to catch any moment with
more people confirmed than the event has places.
"""

import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from itertools import pairwise

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.pool import NullPool

from cta_learning.accounts.models import User, new_session_token
from cta_learning.audit import AuditEvent
from cta_learning.community.events import registration_operations
from cta_learning.community.events.models import Event, Registration
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import OutboxMessage
from tests.community.events.helpers import make_event
from tests.conftest import PASSWORD, hash_password_for
from tests.servers import free_port, missing

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
CAPACITY = 10
CROWD = 200  # register at once for the 10 places
LATECOMERS = 20  # register while places are being given up
WORKERS, THREADS = 4, 8
TITLE = "Inclusive recovery: a peer exchange"


class GunicornServer:
    """`cta_learning.wsgi:app` under gunicorn on a free port, configured by CTA_ variables."""

    def __init__(self, database_url: str, directory):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = directory / "gunicorn.log"
        instance = directory / "instance"
        instance.mkdir()
        self.env = {
            name: value for name, value in os.environ.items() if not name.startswith("CTA_")
        }
        self.env |= {
            "CTA_DATABASE_URL": database_url,
            "CTA_SECRET_KEY": "concurrency-test-secret",
            "CTA_PUBLIC_URL": self.url,
            "CTA_INSTANCE_PATH": str(instance),
            "CTA_RATELIMIT_ENABLED": "false",  # 220 logins from one address
            "CTA_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # as the users' shared hash
            "CTA_LOG_LEVEL": "WARNING",
            "PYTHONPATH": ROOT,
        }
        self.process = None

    def __enter__(self) -> "GunicornServer":
        command = [
            *(sys.executable, "-m", "gunicorn"),
            *("--workers", str(WORKERS), "--threads", str(THREADS)),
            *("--bind", f"127.0.0.1:{self.port}", "--backlog", "1024"),
            *("--timeout", "60", "--graceful-timeout", "5", "--no-control-socket"),
            "cta_learning.wsgi:app",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn stopped at start:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                pytest.fail(f"gunicorn did not answer within 30 s:\n{self.log()}")
            time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # quick shutdown: the test is over
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def errors(self) -> list[str]:
        """Server-side failures: tracebacks, locked databases, timed-out workers."""
        found = re.findall(
            r"^.*(?:Traceback|Error|database is locked|WORKER TIMEOUT|Exception).*$",
            self.log_path.read_text(errors="replace"),
            re.MULTILINE,
        )
        return found[:20]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer we check


class Visitor:
    """One person's browser: a cookie jar, no redirects followed."""

    def __init__(self, base: str, user_id: int, email: str):
        self.base, self.user_id, self.email = base, user_id, email
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )
        self.tokens: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        """(status, Location, body) of one request."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location"), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers.get("Location"), error.read().decode()

    def login(self) -> None:
        status, _, page = self.request("GET", "/login")
        assert status == 200, page[:500]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"email": self.email, "password": PASSWORD, "csrf_token": token}
        status, location, page = self.request("POST", "/login", data)
        assert status == 302, (self.email, status, page[:500])

    def read_event(self, event_id: int) -> str:
        """Open the event page and keep the CSRF token of each of its forms, by action."""
        status, _, page = self.request("GET", f"/events/{event_id}")
        assert status == 200, page[:500]
        self.tokens = {
            action: token
            for action, token in re.findall(
                r'<form method="post" action="([^"]+)">\s*'
                r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"',
                page,
            )
        }
        return page

    def post_form(self, action: str, data: dict | None = None):
        assert action in self.tokens, (self.email, action, sorted(self.tokens))
        return self.request("POST", action, {**(data or {}), "csrf_token": self.tokens[action]})


class Watcher(threading.Thread):
    """Polls the database while requests run: the most confirmed places ever seen at once."""

    def __init__(self, database_url: str, event_id: int):
        super().__init__(daemon=True)
        self.engine = create_engine(database_url, poolclass=NullPool)
        self.event_id = event_id
        self.stopping = threading.Event()
        self.most_confirmed = self.most_seats_taken = self.polls = 0
        self.least_confirmed = None

    def run(self) -> None:
        confirmed = text(
            "SELECT count(*) FROM event_registrations WHERE event_id = :id AND status = 'confirmed'"
        )
        seats = text("SELECT seats_taken FROM events WHERE id = :id")
        with self.engine.connect() as connection:
            while not self.stopping.is_set():
                with connection.begin():
                    count = connection.execute(confirmed, {"id": self.event_id}).scalar_one()
                    taken = connection.execute(seats, {"id": self.event_id}).scalar_one()
                self.most_confirmed = max(self.most_confirmed, count)
                self.most_seats_taken = max(self.most_seats_taken, taken)
                if self.least_confirmed is None or count < self.least_confirmed:
                    self.least_confirmed = count
                self.polls += 1
                time.sleep(0.002)

    def __enter__(self) -> "Watcher":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.join(timeout=10)
        self.engine.dispose()


def add_people(app, prefix: str, number: int) -> list[tuple[int, str]]:
    """`number` confirmed members sharing one password hash (hashing is the slow part)."""
    password_hash = hash_password_for(app, PASSWORD)
    now = utcnow()
    emails = [f"{prefix}{n:03d}@race.example.org" for n in range(number)]
    with app.app_context():
        db.session.execute(
            insert(User.__table__),
            [
                {
                    "email": email,
                    "name": email.split("@")[0],
                    "password_hash": password_hash,
                    "role": "member",
                    "locale": "en",
                    "timezone": "UTC",
                    "is_active": True,
                    "session_token": new_session_token(),
                    "created_at": now,
                    "email_confirmed_at": now,
                }
                for email in emails
            ],
        )
        db.session.commit()
        ids = dict(
            db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
        )
    return [(ids[email], email) for email in emails]


def in_parallel(function, items, threads: int = 32) -> list:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(function, items))


def all_at_once(calls: list) -> list:
    """Run the calls in as many threads, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def statuses(app, event_id: int) -> dict[int, str]:
    """user id -> registration status."""
    with app.app_context():
        return dict(
            db.session.execute(
                select(Registration.user_id, Registration.status).where(
                    Registration.event_id == event_id
                )
            ).all()
        )


def waiting_list(app, event_id: int) -> list[int]:
    """User ids on the waiting list, first first, checked against `waiting_position`."""
    with app.app_context():
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.status == "waiting")
            .order_by(Registration.queued_at, Registration.id)
        ).all()
        keys = [(row.queued_at, row.id) for row in rows]
        assert all(a < b for a, b in pairwise(keys)), "order is not strict"
        positions = [registration_operations.waiting_position(row) for row in rows]
        assert positions == list(range(1, len(rows) + 1)), positions
        return [row.user_id for row in rows]


def seats_taken(app, event_id: int) -> int:
    with app.app_context():
        return db.session.get(Event, event_id).seats_taken


def promotions(app, event_id: int) -> tuple[Counter, Counter]:
    """How often each user was promoted, by the audit log and by the emails they got."""
    with app.app_context():
        audited = Counter(
            db.session.scalars(
                select(AuditEvent.actor_id).where(
                    AuditEvent.verb == "event.promoted",
                    AuditEvent.subject_type == "events",
                    AuditEvent.subject_id == event_id,
                )
            )
        )
        emailed = Counter(
            db.session.scalars(
                select(User.id)
                .join(OutboxMessage, OutboxMessage.to_address == User.email)
                .where(OutboxMessage.subject == f"A place is yours: {TITLE}")
            )
        )
    return audited, emailed


def subjects(app) -> dict[str, list[str]]:
    """The subjects of the emails each address got, oldest first."""
    found = {}
    with app.app_context():
        for address, subject in db.session.execute(
            select(OutboxMessage.to_address, OutboxMessage.subject).order_by(OutboxMessage.id)
        ):
            found.setdefault(address, []).append(subject)
    return found


def check_answers(answers, event_id: int, server: GunicornServer) -> None:
    """Every request ended in a redirect to the event page; the server logged no failure."""
    wrong = [(who, status, body[:300]) for who, (status, _, body) in answers if status != 302]
    assert not wrong, f"{len(wrong)} requests failed, e.g. {wrong[:3]}\n{server.log()}"
    places = {location for _, (_, location, _) in answers}
    assert all(place.endswith(f"/events/{event_id}") for place in places), places
    assert not server.errors(), server.errors()


@pytest.fixture
def server(app, tmp_path):
    if importlib.util.find_spec("gunicorn") is None:
        missing("gunicorn is not installed (pip install -e .)")
    with GunicornServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as server:
        yield server


def test_a_crowd_never_overbooks_and_freed_places_go_once_in_order(app, server):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    event = make_event(app, capacity=CAPACITY, audience="everyone", title=TITLE)
    register = f"/events/{event.id}/register"
    cancel = f"/events/{event.id}/cancel"
    people = add_people(app, "crowd", CROWD) + add_people(app, "late", LATECOMERS)
    visitors = [Visitor(server.url, user_id, email) for user_id, email in people]
    crowd, latecomers = visitors[:CROWD], visitors[CROWD:]

    def arrive(visitor: Visitor) -> None:
        visitor.login()
        page = visitor.read_event(event.id)
        assert ">Register</button>" in page, visitor.email

    in_parallel(arrive, visitors)

    # 1. Two hundred people press "Register" at the same moment for ten places.
    with Watcher(url, event.id) as watcher:
        answers = all_at_once(
            [lambda v=v: (v.email, v.post_form(register, {"language": ""})) for v in crowd]
        )
    check_answers(answers, event.id, server)
    assert watcher.polls > 0
    assert watcher.most_confirmed <= CAPACITY and watcher.most_seats_taken <= CAPACITY
    status_of = statuses(app, event.id)
    assert Counter(status_of.values()) == {"confirmed": CAPACITY, "waiting": CROWD - CAPACITY}
    assert set(status_of) == {v.user_id for v in crowd}
    assert seats_taken(app, event.id) == CAPACITY
    queue = waiting_list(app, event.id)
    assert len(queue) == len(set(queue)) == CROWD - CAPACITY
    told = {
        "confirmed": [f"You are registered: {TITLE}"],
        "waiting": [f"You are on the waiting list: {TITLE}"],
    }
    mail = subjects(app)
    assert all(mail.get(v.email) == told[status_of[v.user_id]] for v in crowd)
    assert promotions(app, event.id) == (Counter(), Counter())

    # 2. Eight confirmed people cancel (two of them pressing the button four times), the first
    # four on the waiting list leave it (while their place may be coming), twenty more register.
    by_id = {v.user_id: v for v in visitors}
    confirmed = sorted(user for user, status in status_of.items() if status == "confirmed")
    leaving = [by_id[user] for user in confirmed[:8]]
    giving_up = [by_id[user] for user in queue[:4]]
    in_parallel(lambda v: v.read_event(event.id), [*leaving, *giving_up, *latecomers])
    calls = [lambda v=v: (v.email, v.post_form(cancel)) for v in [*leaving, *giving_up]]
    calls += [lambda v=v: (v.email, v.post_form(cancel)) for v in leaving[:2] for _ in range(3)]
    calls += [lambda v=v: (v.email, v.post_form(register, {"language": ""})) for v in latecomers]
    with Watcher(url, event.id) as watcher:
        answers = all_at_once(calls)
    check_answers(answers, event.id, server)
    assert watcher.most_confirmed <= CAPACITY and watcher.most_seats_taken <= CAPACITY
    # A freed place goes to the next person in the same transaction: it never stands empty.
    assert watcher.least_confirmed == CAPACITY

    final = statuses(app, event.id)
    cancelled = {v.user_id for v in [*leaving, *giving_up]}
    assert {user for user, status in final.items() if status == "cancelled"} == cancelled
    assert Counter(final.values()) == {
        "confirmed": CAPACITY,
        "waiting": CROWD + LATECOMERS - len(cancelled) - CAPACITY,
        "cancelled": len(cancelled),
    }
    assert seats_taken(app, event.id) == CAPACITY

    audited, emailed = promotions(app, event.id)
    assert audited == emailed, "one 'a place is yours' email per promotion"
    assert set(audited.values()) == {1}, f"promoted more than once: {audited}"
    promoted = set(audited)
    # Places went to the head of the waiting list, in order, and to no one who had cancelled
    # first; the latecomers queue behind everyone who was already waiting.
    gone = [user for user in queue if final[user] != "waiting"]
    assert gone == queue[: len(gone)], "someone was skipped on the waiting list"
    assert set(gone) == promoted | {v.user_id for v in giving_up}
    assert promoted <= set(queue)
    still_confirmed = set(confirmed[8:]) | (promoted - cancelled)
    assert {user for user, status in final.items() if status == "confirmed"} == still_confirmed
    assert len(promoted - cancelled) == len(leaving)
    new_queue = waiting_list(app, event.id)
    assert new_queue[: len(queue) - len(gone)] == queue[len(gone) :]
    assert set(new_queue[len(queue) - len(gone) :]) == {v.user_id for v in latecomers}
