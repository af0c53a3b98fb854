"""Servers the tests start themselves: PostgreSQL on loopback, and the app on a free port."""

import glob
import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest
from werkzeug.serving import make_server

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where everything must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: nothing may be skipped)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, path: str | None = None) -> None:
    """Wait until the process answers on the port (an HTTP GET of path, when given)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            if path:
                connection.request("GET", path)
                connection.getresponse().read()
            else:
                connection.connect()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise AssertionError(f"nothing answers on port {port}")


def start_redis(directory) -> tuple[subprocess.Popen, str]:
    """Debian's redis-server on loopback, without persistence; the caller terminates it."""
    server = shutil.which("redis-server")
    if not server:
        missing("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    options = ["--bind", "127.0.0.1", "--port", str(port), "--dir", str(directory)]
    process = subprocess.Popen(
        [server, *options, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, process)
    except BaseException:
        process.terminate()
        process.wait(timeout=10)
        raise
    return process, f"redis://127.0.0.1:{port}"


def _postgres_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class PostgresServer:
    """A throw-away PostgreSQL cluster listening on 127.0.0.1 only."""

    def __init__(self):
        self.bin = _postgres_bin()
        # Not under pytest's private temporary folder: the postgres user must reach it.
        self.directory = tempfile.mkdtemp(prefix="cta-postgres-")
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=120)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run(
            f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name
        )
        return self.url(name)

    def start(self) -> None:
        data = os.path.join(self.directory, "data")
        os.makedirs(data)
        if self.as_user:
            shutil.chown(self.directory, "postgres")
            shutil.chown(data, "postgres")
        self._run(
            f"{self.bin}/initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            f"{self.bin}/pg_ctl",
            "-D",
            data,
            "-o",
            options,
            "-w",
            "-l",
            os.path.join(self.directory, "server.log"),
            "start",
        )
        self.create_database("cta_test")

    def stop(self) -> None:
        self._run(
            f"{self.bin}/pg_ctl",
            "-D",
            os.path.join(self.directory, "data"),
            "-m",
            "immediate",
            "stop",
        )
        shutil.rmtree(self.directory, ignore_errors=True)

    @classmethod
    def available(cls) -> bool:
        return _postgres_bin() is not None


class LiveServer:
    """The app served by a real HTTP server in a thread, for browser tests."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", free_port(), app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
