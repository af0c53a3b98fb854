"""Fixtures: an app per database backend, a client, sign-in helpers and factories."""

import os
import shutil
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import event, select, text

from cta_learning import create_app
from cta_learning.accounts import two_factor
from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.accounts.operations import hash_password
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import OutboxMessage
from cta_learning.security import STAFF_ROLES
from tests.servers import PostgresServer, missing

BACKENDS = [
    name for name in os.environ.get("CTA_TEST_BACKENDS", "sqlite,postgresql").split(",") if name
]
PASSWORD = "correct horse battery"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the authenticator app of every test staff member

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "PUBLIC_URL": "https://learning.example.org",
    "MAIL_FROM": "CTA Learning <no-reply@learning.example.org>",
    "SMTP_HOST": "",
}


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the whole session, on loopback."""
    if not PostgresServer.available():
        missing("PostgreSQL is not installed (apt-get install postgresql)")
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server):
    """The test database, with the schema created once."""
    url = postgres_server.url("cta_test")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


def _truncate_all() -> None:
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def build_app(request, tmp_path, **overrides):
    """An app on the requested backend with an empty schema; cleaned up after the test."""
    backend = request.param if hasattr(request, "param") else "sqlite"
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "CTA_BACKEND": backend, **overrides}
    )
    with app.app_context():
        if backend == "sqlite":
            db.create_all()
    return app, backend


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    app, backend = build_app(request, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        if backend == "postgresql":
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Factories:
    """Create rows directly, committed and detached, for arranging a test."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def _save(self, *objects):
        with self.app.app_context():
            db.session.add_all(objects)
            db.session.commit()
            for obj in objects:
                db.session.refresh(obj)
                db.session.expunge(obj)
        return objects[0]

    def user(
        self, role="member", email=None, password=PASSWORD, confirmed=True, two_step=None, **fields
    ):
        """A user; organisers and admins have two-step on (TOTP_SECRET) unless two_step=False."""
        self.count += 1
        if two_step if two_step is not None else role in STAFF_ROLES:
            with self.app.app_context():
                fields.setdefault("totp_secret", two_factor.encrypt_secret(TOTP_SECRET))
            fields.setdefault("totp_enabled_at", utcnow())
        user = User(
            email=email or f"person{self.count}@city{self.count}.example.org",
            name=fields.pop("name", f"Person {self.count}"),
            role=role,
            password_hash=hash_password_for(self.app, password),
            email_confirmed_at=utcnow() if confirmed else None,
            **fields,
        )
        return self._save(user)

    def organisation(self, kind="lrg", **fields):
        self.count += 1
        defaults = {
            "name": f"City {self.count}",
            "country": "SN",
            "region": "africa",
            "preferred_language": "fr",
            "policy_processes": [],
        }
        return self._save(Organisation(kind=kind, **{**defaults, **fields}))

    def member(self, organisation=None, role="owner", **user_fields):
        """A confirmed user who belongs to an organisation (a new one unless given)."""
        organisation = organisation or self.organisation()
        user = self.user(**user_fields)
        self._save(Membership(organisation_id=organisation.id, user_id=user.id, role=role))
        return user, organisation


def hash_password_for(app, password: str) -> str:
    with app.app_context():
        return hash_password(password)


@pytest.fixture
def make(app):
    return Factories(app)


class Auth:
    def __init__(self, client, make):
        self.client, self.make = client, make

    def login(self, email, password=PASSWORD, **extra):
        """Log in through the form; with two-step on, enter the app's code too."""
        response = self.client.post("/login", data={"email": email, "password": password, **extra})
        if response.status_code == 302 and urlsplit(response.location).path == "/login/verify":
            response = self.client.post("/login/verify", data={"code": self.code_for(email)})
        return response

    def code_for(self, email) -> str:
        """The account's current code, a time step after the last one used (each works once)."""
        with self.make.app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            totp = pyotp.TOTP(two_factor.secret_of(user))
            now = int(time.time()) // totp.interval
            step = max(now, (user.totp_last_step or 0) + 1)
            if step > now + 1:  # both accepted steps used: logging in again so soon needs this
                user.totp_last_step, step = None, now
                db.session.commit()
            return totp.generate_otp(step)

    def login_as(self, role="member", **fields):
        """Create a confirmed user of the role, log in as them, and return them."""
        user = self.make.user(role=role, **fields)
        response = self.login(user.email)
        assert response.status_code == 302, response.data
        return user

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client, make):
    return Auth(client, make)


def outbox(app, to=None) -> list[OutboxMessage]:
    """Messages in the outbox (detached), oldest first, optionally for one address."""
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.to_address == to)
        messages = list(db.session.scalars(query))
        for message in messages:
            db.session.expunge(message)
        return messages


def fetch(app, model, **filters):
    """The one row of `model` matching `filters` (detached), or None."""
    with app.app_context():
        row = db.session.scalars(select(model).filter_by(**filters)).first()
        if row is not None:
            db.session.expunge(row)
        return row


def count(app, model, **filters) -> int:
    with app.app_context():
        return len(db.session.scalars(select(model).filter_by(**filters)).all())


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block: `with count_queries(app) as queries:`."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


# Debian's Chromium, one per test process for every browser test (tests/browser, tests/layout):
# Playwright's sync API allows a single instance per thread.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium() -> str | None:
    return (
        os.environ.get("CTA_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        missing("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
