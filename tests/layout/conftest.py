"""The production layout on this machine, started once for the package: nginx
(deploy/nginx.conf) in front of two gunicorn servers, on one PostgreSQL and one Redis, with one
mail worker (`flask mail work`) sending to an SMTP server of the test's; all on 127.0.0.1.
"""

import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from cta_learning import create_app
from cta_learning.extensions import db
from tests.conftest import TEST_CONFIG, Factories
from tests.mail.smtp import Recorder, SmtpServer
from tests.servers import free_port, missing, start_redis, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
SITE = ROOT / "deploy" / "nginx.conf"
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
FLASK = str(Path(sys.executable).parent / "flask")
LOGIN_LIMIT = 10  # CTA_LOGIN_RATE_LIMIT below


@dataclass
class Layout:
    nginx: int
    servers: tuple[int, int]
    database: str
    access_logs: tuple[Path, Path]  # one per gunicorn server, a line per request it served
    mail: Recorder  # what the mail worker delivered to the SMTP server
    mail_log: Path  # the mail worker's output
    redis: str  # the shared cache, where every process also mirrors the content versions

    def wait_for_mail(self, to: str, subject: str, seconds: float = 20) -> EmailMessage:
        """The first message to `to` whose subject contains `subject`, once the worker sent it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.mail.lock:
                for recipient, message in self.mail.received:
                    if recipient == to and subject in message["Subject"]:
                        return message
            time.sleep(0.2)
        worker = self.mail_log.read_text()
        raise AssertionError(f"no message {subject!r} to {to} within {seconds} s:\n{worker}")


def _nginx_config(tmp_path: Path, port: int, servers: tuple[int, int]) -> Path:
    """The shipped site with this test's ports and checkout, inside a minimal main config."""
    site = SITE.read_text()
    for production, here in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("127.0.0.1:8001;", f"127.0.0.1:{servers[0]};"),
        ("127.0.0.1:8002;", f"127.0.0.1:{servers[1]};"),
        ("/srv/cta-learning/", f"{ROOT}/"),
    ):
        assert production in site, f"deploy/nginx.conf no longer has {production!r}"
        site = site.replace(production, here)
    temporary = "\n".join(
        f"  {kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = tmp_path / "nginx.conf"
    config.write_text(
        ("user root root;\n" if os.geteuid() == 0 else "")
        + "worker_processes 1;\nevents { worker_connections 128; }\n"
        + "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        + f"  access_log {tmp_path / 'access.log'};\n{temporary}\n{site}\n}}\n"
    )
    return config


def _release(environment: dict[str, str]) -> None:
    """What each release runs before the servers start (README, Production layout)."""
    for command in (["db", "upgrade"], ["courses", "import"]):
        result = subprocess.run(
            [FLASK, "--app", "cta_learning", *command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"flask {' '.join(command)}:\n{result.stderr}"


def _start(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    """A process whose output goes to a file: an unread pipe would fill and block it."""
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )


@pytest.fixture(scope="package")
def layout(postgres_server, tmp_path_factory):
    """PostgreSQL (upgraded by `flask db upgrade`, the course imported), Redis, two gunicorn
    servers, nginx, an SMTP server on loopback and one mail worker sending to it."""
    nginx = shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
    if not nginx:
        missing("nginx is not installed (apt-get install nginx)")
    tmp_path = tmp_path_factory.mktemp("layout")
    database = postgres_server.create_database("cta_layout")
    environment = {**os.environ, "CTA_DATABASE_URL": database, "CTA_INSTANCE_PATH": str(tmp_path)}
    _release(environment)
    smtp = SmtpServer()
    redis = start_redis(tmp_path)
    processes: list[subprocess.Popen] = [redis[0]]
    try:
        smtp.start()
        port, servers = free_port(), (free_port(), free_port())
        shared = {
            **environment,
            "CTA_ENV_NAME": "production",
            "CTA_SECRET_KEY": secrets.token_urlsafe(48),
            "CTA_RATELIMIT_STORAGE_URI": redis[1],
            "CTA_REDIS_URL": redis[1],  # the shared cache
            "CTA_RATELIMIT_ENABLED": "true",
            "CTA_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
            "CTA_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "CTA_PROXY_COUNT": "1",
            "CTA_WORKERS": "2",
            "CTA_SMTP_HOST": "127.0.0.1",
            "CTA_SMTP_PORT": str(smtp.port),
            "CTA_SMTP_STARTTLS": "false",
            "CTA_SMTP_TIMEOUT": "5",
        }
        access_logs = (tmp_path / "access0.log", tmp_path / "access1.log")
        for number, server in enumerate(servers):
            instance = tmp_path / f"instance{number}"  # servers share no folder
            instance.mkdir()
            options = ["--bind", f"127.0.0.1:{server}", "--access-logfile", access_logs[number]]
            processes.append(
                _start(
                    [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), *map(str, options)],
                    {**shared, "CTA_INSTANCE_PATH": str(instance)},
                    tmp_path / f"server{number}.log",
                )
            )
        worker = [FLASK, "--app", "cta_learning", "mail", "work", "--interval", "0.5"]
        processes.append(_start(worker, shared, tmp_path / "mail.log"))
        for server, process in zip(servers, processes[1:3], strict=True):
            wait_for(server, process, "/healthz")
        config = _nginx_config(tmp_path, port, servers)
        directives = f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"
        options = ["-c", str(config), "-g", directives]
        command = [nginx, "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), *options]
        processes.append(_start(command, shared, tmp_path / "nginx.log"))
        wait_for(port, processes[-1], "/healthz")
        yield Layout(
            port, servers, database, access_logs, smtp.recorder, tmp_path / "mail.log", redis[1]
        )
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        smtp.stop()


@pytest.fixture(scope="package")
def make(layout):
    """Rows written straight into the servers' database, by a process with the servers' Redis
    (as every process of the layout has: commands, timers, the mail worker)."""
    settings = {"SQLALCHEMY_DATABASE_URI": layout.database, "REDIS_URL": layout.redis}
    app = create_app({**TEST_CONFIG, **settings})
    yield Factories(app)
    with app.app_context():
        db.engine.dispose()
