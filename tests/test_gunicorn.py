"""gunicorn --preload: the app is loaded once before the fork, and no connection crosses it."""

import http.client
import os
import runpy
import subprocess
import sys
import types
from concurrent.futures import ThreadPoolExecutor

from cta_learning import startup
from cta_learning.extensions import db
from tests.servers import free_port, wait_for
from tests.test_rate_limits import CONFIG, ROOT, _environment, _gunicorn, redis_url  # noqa: F401


def test_workers_are_forked_from_a_preloaded_app():
    assert runpy.run_path(CONFIG)["preload_app"] is True


def test_the_start_up_check_leaves_no_connection_to_fork(app):
    startup.check_ready(app)
    with app.app_context():
        assert db.engine.pool.checkedin() == 0


def test_post_fork_forgets_the_connections_of_the_master(app, monkeypatch):
    with app.app_context():
        pooled = db.engine.raw_connection()
        master_connection = pooled.dbapi_connection  # the master's, which a worker must forget
        pooled.close()  # back to the pool
        assert db.engine.pool.checkedin() == 1
    monkeypatch.setitem(sys.modules, "cta_learning.wsgi", types.SimpleNamespace(app=app))
    runpy.run_path(CONFIG)["post_fork"](None, None)
    with app.app_context():
        assert db.engine.pool.checkedin() == 0
    master_connection.close()  # here the "master" is this test: it closes what it opened


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_two_preloaded_workers_serve_database_pages(tmp_path, redis_url):  # noqa: F811
    port = free_port()
    server = _gunicorn(
        _environment(tmp_path, redis_url),
        port,
        "--workers",
        "2",
        "--access-logfile",
        "-",
        "--access-logformat",
        "served-by %(p)s %(s)s",
    )
    try:
        wait_for(port, server, "/healthz")
        paths = ["/healthz", "/actions/", "/events/"] * 20
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda path: _get(port, path), paths))
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert statuses == [200] * len(paths), output
    assert output.count("Booting worker") == 2, output
    workers = {line.split()[1] for line in output.splitlines() if line.startswith("served-by")}
    assert len(workers) == 2, output


def test_a_worker_imports_no_rare_or_test_only_library(tmp_path):
    """What only rare paths use is imported there, so it costs no worker memory at start."""
    rare = ["icalendar", "aiosmtpd", "openpyxl", "segno", "PIL", "alembic", "weasyprint"]
    code = "import sys, cta_learning.wsgi; print(' '.join(m for m in sys.argv[1:] if m in sys.modules))"
    env = {
        **os.environ,
        "CTA_DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite'}",
        "CTA_INSTANCE_PATH": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code, *rare], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
