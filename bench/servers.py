"""The servers a benchmark run starts on loopback and stops at the end, also on error or
Ctrl-C: Redis (rate limits and cache shared by the workers, as in production), PostgreSQL
when asked for (started as the tests start theirs), and gunicorn."""

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.servers import PostgresServer, start_redis

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: the benchmark never listens on or calls another address
APPLICATION = "bench.hello:app"
DATABASE_NAME = "cta_bench"
STOP_TIMEOUT_SECONDS = 15


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which and why."""


def _stop(process: subprocess.Popen, group: bool = False) -> None:
    """Terminate a server this run started; kill it (with its process group: gunicorn's master
    and workers) if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        if group:  # the session started for it: its own processes, nothing else
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


@contextlib.contextmanager
def redis(directory: Path) -> Iterator[str]:
    """A redis-server of this run's own on loopback, without persistence; yields its URL."""
    if shutil.which("redis-server") is None:
        raise BenchError(
            "redis-server is not installed (apt-get install redis-server): the workers share "
            "rate limits and cache through it, as in production."
        )
    process, url = start_redis(directory)
    try:
        yield url
    finally:
        _stop(process)


@dataclass(frozen=True)
class Database:
    """An empty database to fill, and the server processes it runs in (none for SQLite)."""

    url: str
    server_pids: tuple[int, ...] = ()


@contextlib.contextmanager
def database(kind: str, sqlite_path: Path) -> Iterator[Database]:
    """An empty database: a SQLite file, or one on a fresh PostgreSQL server of its own."""
    if kind == "sqlite":
        yield Database("sqlite:///" + str(sqlite_path.resolve()))
        return
    if not PostgresServer.available():
        raise BenchError("PostgreSQL is not installed (apt-get install postgresql).")
    server = PostgresServer()
    try:
        server.start()
        url = server.create_database(DATABASE_NAME)
        # The postmaster's pid: the first line of postmaster.pid in the data folder.
        pid_file = Path(server.directory) / "data" / "postmaster.pid"
        yield Database(url, (int(pid_file.read_text().split()[0]),))
    except subprocess.CalledProcessError as error:
        raise BenchError(f"starting PostgreSQL failed: {error.stderr!r}") from error
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            server.stop()


def start_gunicorn(
    gunicorn: str,
    port: int,
    options: list[str],
    environment: dict[str, str],
    log_path: Path,
) -> subprocess.Popen:
    """Start gunicorn in its own session, so Ctrl-C reaches this script, which stops it.

    Started from the project root, gunicorn reads the production `gunicorn.conf.py`; the
    options given here (workers, worker class, threads) override it.
    """
    command = [
        gunicorn,
        APPLICATION,
        "--bind",
        f"{HOST}:{port}",
        *options,
        "--preload",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log_path),
    ]
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=environment,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_gunicorn(process: subprocess.Popen) -> None:
    """Ask gunicorn to shut down gracefully; kill its process group if it does not."""
    _stop(process, group=True)


def log_tail(log_path: Path, lines: int = 20) -> str:
    """The last lines of gunicorn's log, to explain a failure."""
    if not log_path.exists():
        return "(no gunicorn log)"
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
