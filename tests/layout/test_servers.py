"""Two gunicorn servers behind nginx (tests/layout/conftest.py): health, static files and
compression through nginx; what one server writes the other shows; sessions and rate limits
shared through the database and Redis.
"""

import gzip
import http.client
import re
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from cta_learning.actions.models import Action
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.conftest import BACKENDS, PASSWORD
from tests.layout.conftest import LOGIN_LIMIT, ROOT

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL")


@dataclass
class Browser:
    """One person's cookies, sent to whichever port is asked (nginx or a server directly)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, port, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, data

    def text(self, port, path) -> str:
        response, data = self.request(port, "GET", path)
        assert response.status == 200, (path, response.status)
        return data.decode()

    def csrf_token(self, port) -> str:
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.text(port, "/login"))
        assert found, "no CSRF token on /login"
        return found.group(1)

    def log_in(self, port, email, password=PASSWORD, headers=None) -> int:
        body = {"csrf_token": self.csrf_token(port), "email": email, "password": password}
        return self.request(port, "POST", "/login", body, headers)[0].status


def test_nginx_answers_health_and_serves_static_files_cached_and_compressed(layout):
    browser = Browser()
    response, data = browser.request(layout.nginx, "GET", "/healthz")
    assert response.status == 200 and b'"status":"ok"' in data.replace(b" ", b"")
    response, data = browser.request(
        layout.nginx, "GET", "/static/css/site.css", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status == 200
    assert response.getheader("Cache-Control") == "max-age=2592000"
    assert response.getheader("Expires")
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(data) == (ROOT / "static" / "css" / "site.css").read_bytes()


def test_pages_are_compressed_when_asked(layout):
    response, data = Browser().request(
        layout.nginx, "GET", "/actions/", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert b"</html>" in gzip.decompress(data)
    response, data = Browser().request(layout.nginx, "GET", "/actions/")
    assert response.getheader("Content-Encoding") is None and b"</html>" in data


def _action_count(html: str) -> int:
    found = re.search(r'class="results-count"[^>]*>(\d+) action', html)
    assert found, "the repository's count is missing"
    return int(found[1])


def test_what_one_server_writes_the_other_sees_at_the_next_request(layout, make):
    first, second = layout.servers
    visitor = Browser()
    title = f"Welcome desks {secrets.token_hex(4)}"
    assert all(title not in visitor.text(port, "/actions/") for port in layout.servers)
    before = {_action_count(visitor.text(port, "/actions/")) for port in layout.servers}
    assert len(before) == 1  # both servers now hold the count in the shared cache
    user, organisation = make.member(name="Published Person")
    with make.app.app_context():
        db.session.add(
            Action(
                organisation_id=organisation.id,
                created_by_id=user.id,
                status="published",
                published_at=utcnow(),
                title=title,
                description="Information and orientation for newcomers.",
            )
        )
        db.session.commit()
    assert all(title in visitor.text(port, "/actions/") for port in layout.servers)
    after = {_action_count(visitor.text(port, "/actions/")) for port in layout.servers}
    assert after == {before.pop() + 1}  # the version changed: not the cached count

    member = Browser()
    assert member.log_in(first, user.email) == 302
    assert "Published Person" in member.text(second, "/dashboard")  # same session cookie


def test_two_people_never_see_each_others_pages(layout, make):
    people = [make.member(name=name)[0] for name in ("Amina Diallo", "Bruno Costa")]
    browsers = [Browser(), Browser()]
    for browser, person in zip(browsers, people, strict=True):
        assert browser.log_in(layout.nginx, person.email) == 302
    for _ in range(3):  # nginx alternates between the two servers
        for browser, person, other in zip(browsers, people, reversed(people), strict=True):
            page = browser.text(layout.nginx, "/dashboard")
            assert person.name in page and other.name not in page


def test_the_login_limit_holds_across_both_servers(layout):
    """Wrong log-ins alternate between the servers, all from one client address.

    The address is the one nginx would pass on (X-Forwarded-For, CTA_PROXY_COUNT=1), kept apart
    from the other tests' log-ins. CSRF stays on: each attempt reads its token from the same
    server's /login page, with the same cookies.
    """
    browser = Browser()
    headers = {"X-Forwarded-For": "203.0.113.7"}
    statuses = [
        browser.log_in(
            layout.servers[number % 2], f"nobody{number}@example.org", "wrong password 1", headers
        )
        for number in range(2 * LOGIN_LIMIT)
    ]
    assert statuses[:LOGIN_LIMIT] == [200] * LOGIN_LIMIT, statuses
    assert statuses[LOGIN_LIMIT:] == [429] * LOGIN_LIMIT, statuses
