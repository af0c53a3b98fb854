"""Rate limits hold across workers: Redis shares the counts; without it, one worker only.

The app runs under gunicorn with gunicorn.conf.py, as `make serve` runs it, against Debian's
`redis-server` started here on 127.0.0.1.
"""

import http.client
import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from cta_learning import create_app
from cta_learning.extensions import db
from tests.conftest import TEST_CONFIG
from tests.servers import free_port, start_redis, wait_for

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
CONFIG = str(ROOT / "gunicorn.conf.py")


@pytest.fixture
def redis_url(tmp_path):
    """A throw-away Redis on loopback, without persistence."""
    process, url = start_redis(tmp_path)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _environment(tmp_path, storage: str) -> dict[str, str]:
    database = f"sqlite:///{tmp_path / 'limits.sqlite'}"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return {
        **os.environ,
        "CTA_DATABASE_URL": database,
        "CTA_INSTANCE_PATH": str(tmp_path),
        "CTA_SECRET_KEY": secrets.token_urlsafe(48),
        "CTA_RATELIMIT_STORAGE_URI": storage,
        "CTA_RATELIMIT_ENABLED": "true",
        "CTA_WTF_CSRF_ENABLED": "false",
        "CTA_LOGIN_RATE_LIMIT": "10 per minute",
    }


def _gunicorn(env, port: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [GUNICORN, "-c", CONFIG, "--bind", f"127.0.0.1:{port}", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _login_attempt(port: int, number: int) -> int:
    """A wrong log-in on a fresh connection, each for another address (no per-account limit)."""
    body = urlencode({"email": f"nobody{number}@example.org", "password": "wrong password 1"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    status = connection.getresponse().status
    connection.close()
    return status


def test_two_workers_share_the_login_limit_through_redis(tmp_path, redis_url):
    port = free_port()
    server = _gunicorn(_environment(tmp_path, redis_url), port, "--workers", "2")
    try:
        wait_for(port, server, "/healthz")
        statuses = [_login_attempt(port, number) for number in range(20)]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Booting worker" in output and output.count("Booting worker") == 2, output
    assert statuses.count(429) == 10, statuses
    assert all(status != 429 for status in statuses[:10]), statuses


def test_several_workers_without_shared_storage_are_refused(tmp_path):
    server = _gunicorn(_environment(tmp_path, "memory://"), free_port(), "--workers", "2")
    output = server.communicate(timeout=60)[0]
    assert server.returncode != 0
    assert "Refusing to start 2 workers" in output and "CTA_RATELIMIT_STORAGE_URI" in output


@pytest.mark.parametrize(
    ("storage", "expected"), [("memory://", 1), ("redis://127.0.0.1:6379", None)]
)
def test_gunicorn_runs_one_worker_unless_the_storage_is_shared(monkeypatch, storage, expected):
    monkeypatch.setenv("CTA_RATELIMIT_STORAGE_URI", storage)
    monkeypatch.delenv("CTA_WORKERS", raising=False)
    settings = runpy.run_path(CONFIG)
    if expected:
        assert settings["workers"] == expected and settings["threads"] > 1
    else:
        assert settings["workers"] > 1
