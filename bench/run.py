"""Benchmark the main pages against a bare route, under gunicorn, with wrk.

Usage, from the project root: .venv/bin/python -m bench.run [--duration 10]
See bench/README.md for what is measured and why.
"""

import argparse
import hashlib
import html
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from types import FrameType

from bench.data import (
    BENCH_PASSWORD,
    COURSE_SLUG,
    DEFAULT_ACTIONS,
    DEFAULT_ENROLMENTS,
    DEFAULT_EVENT_REGISTRATIONS,
    DEFAULT_EVENTS,
    DEFAULT_ORGANISATIONS,
    DEFAULT_USERS,
    LEARNER_EMAIL,
    sqlite_url,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "latest.json"
HOST = "127.0.0.1"  # loopback only: the benchmark never listens on or calls another address
BARE_ROUTE = "/bench/hello"
STATIC_TARGETS = (BARE_ROUTE, "/", "/priorities", "/login", "/actions/")
# The repository with three filters: a priority area (a join on action_priorities), a region
# (on the organisation) and a start year.
FILTERED_REPOSITORY = "/actions/?priority=3&region=africa&year=2023"
ACTION_PAGE = "/actions/{id}"
# The MOOC: the catalogue as a visitor; a reading lesson and a quiz as an enrolled learner
# (signed in once before the measures; wrk sends the session cookie). Each page checked for
# what only the learner's copy holds: the form that marks the lesson done or sends answers.
CATALOGUE = "/courses/"
LESSON_PAGE = f"/courses/{COURSE_SLUG}/people-on-the-move/"
QUIZ_PAGE = f"/courses/{COURSE_SLUG}/chapter-1-quiz/"
LEARNER_PAGES = {LESSON_PAGE: LESSON_PAGE + "done", QUIZ_PAGE: QUIZ_PAGE + "answers"}
# Peer-learning events, as a visitor: the list of upcoming events, and one event's page (the
# first upcoming session of a series: its agenda with people, priority areas and series).
EVENTS_LIST = "/events/"
EVENT_PAGE = "/events/{id}"
APPLICATION = "bench.hello:app"
FINGERPRINTED = ("cta_learning", "templates", "content", "migrations")

# Targets from the product design.
TARGET_RATIO = 0.5
TARGET_P99_MS = 30.0
TARGET_RSS_MB = 60.0

# Above this many cores busy with other programs during a measure, the figures are suspect.
OTHER_LOAD_WARNING_CORES = 0.15

# Bounds, so that no step can wait forever.
DATA_TIMEOUT_SECONDS = 300  # 17-22 s on a busy machine; 48 s once, with test suites alongside
STARTUP_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 15
WRK_GRACE_SECONDS = 30
# wrk stops sending when its time is up, but the workers still serve the requests already
# queued: with pages of several hundred ms, that spills into the next measure. Before each
# measure, wait (at most this long) until gunicorn used under IDLE_CORES over IDLE_INTERVAL.
SETTLE_TIMEOUT_SECONDS = 60
IDLE_INTERVAL_SECONDS = 0.5
IDLE_CORES = 0.05

_WRK_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_WRK_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_WRK_NON_SUCCESS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_WRK_SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
_TIME_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1_000.0, "m": 60_000.0, "h": 3_600_000.0}


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    """Everything that shapes the figures; the same for every target of a run."""

    workers: int
    worker_class: str
    threads: int
    wrk_threads: int
    connections: int
    duration_seconds: int
    warmup_seconds: int
    accept_language: str
    organisations: int
    users: int
    actions: int
    enrolments: int
    events: int
    event_registrations: int


@dataclass(frozen=True)
class Target:
    """One page measured: its path, and whether it is requested as the signed-in learner."""

    path: str
    as_learner: bool = False

    @property
    def label(self) -> str:
        return f"`{self.path}` as learner" if self.as_learner else f"`{self.path}`"


@dataclass
class Result:
    """wrk's figures for one target, and the workers' memory right after."""

    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_success: int
    socket_errors: int
    server_cpu_ms_per_request: float = 0.0
    other_cpu_cores: float = 0.0
    worker_rss_mb: dict[str, float] = field(default_factory=dict)
    worker_pss_mb: dict[str, float] = field(default_factory=dict)
    ratio_to_bare: float = 0.0
    as_learner: bool = False


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far: by the whole machine, by gunicorn, and by finished children."""

    machine: float
    server: float
    children: float


def _stop_on_terminate(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into an exception, so that the clean-up in `finally` blocks runs."""
    raise SystemExit(128 + signum)


def find_tools() -> tuple[str, str]:
    """The paths of wrk and gunicorn, or a clear exit when one is missing."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("bench: wrk is not installed (apt-get install wrk); it drives the load.")
    # Prefer the gunicorn of this interpreter's virtualenv: it imports the same packages.
    beside_python = Path(sys.executable).parent / "gunicorn"
    gunicorn = str(beside_python) if beside_python.exists() else shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit("bench: gunicorn is not installed here (pip install gunicorn).")
    return wrk, gunicorn


def server_environment(database_path: Path, instance_path: Path) -> dict[str, str]:
    """The caller's environment without any CTA_ setting, plus database, secret and instance."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CTA_")}
    environment.update(
        CTA_DATABASE_URL=sqlite_url(str(database_path)),
        CTA_SECRET_KEY=secrets.token_urlsafe(32),
        # The instance folder holds files the app may write; keep them out of the project.
        CTA_INSTANCE_PATH=str(instance_path),
    )
    return environment


def generate_data(path: Path, settings: Settings, environment: dict[str, str]) -> dict:
    """Build the data set in a separate process, with the server's environment.

    The migrations configure logging for Alembic; a separate process keeps that out of this one.
    """
    command = [
        sys.executable,
        "-m",
        "bench.data",
        str(path),
        "--organisations",
        str(settings.organisations),
        "--users",
        str(settings.users),
        "--actions",
        str(settings.actions),
        "--enrolments",
        str(settings.enrolments),
        "--events",
        str(settings.events),
        "--event-registrations",
        str(settings.event_registrations),
    ]
    completed = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=DATA_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"generating the data set failed:\n{completed.stderr.strip()}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def first_published_action(database_path: Path) -> int:
    """The id of the first published action of the generated data set, read from the file."""
    with sqlite3.connect(f"file:{database_path}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT id FROM actions WHERE status = 'published' ORDER BY id LIMIT 1"
        ).fetchone()
    connection.close()
    if row is None:
        raise BenchError("the data set holds no published action: no action page to measure")
    return int(row[0])


def first_upcoming_session(database_path: Path) -> int:
    """The id of the first upcoming published event that is a session of a series."""
    with sqlite3.connect(f"file:{database_path}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT id FROM events WHERE status = 'published' AND series_id IS NOT NULL"
            " AND starts_at > ? ORDER BY starts_at, id LIMIT 1",
            (datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" "),),
        ).fetchone()
    connection.close()
    if row is None:
        raise BenchError("the data set holds no upcoming session: no event page to measure")
    return int(row[0])


def targets(action_id: int, event_id: int) -> tuple[Target, ...]:
    """Every page measured, in order, the bare route first (the others are compared with it)."""
    visitor = (*STATIC_TARGETS, FILTERED_REPOSITORY, ACTION_PAGE.format(id=action_id), CATALOGUE)
    return (
        *(Target(path) for path in visitor),
        *(Target(path, as_learner=True) for path in LEARNER_PAGES),
        Target(EVENTS_LIST),
        Target(EVENT_PAGE.format(id=event_id)),
    )


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(
    gunicorn: str, port: int, settings: Settings, environment: dict[str, str], log_path: Path
) -> subprocess.Popen:
    """Start gunicorn in its own session, so Ctrl-C reaches this script, which stops it."""
    command = [
        gunicorn,
        APPLICATION,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(settings.workers),
        "--worker-class",
        settings.worker_class,
        "--threads",
        str(settings.threads),
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


def _log_tail(log_path: Path, lines: int = 20) -> str:
    """The last lines of gunicorn's log, to explain a failure."""
    if not log_path.exists():
        return "(no gunicorn log)"
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


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


def check_learner_page(base_url: str, path: str, headers: dict[str, str]) -> None:
    """The page answers 200 with the learner's own copy; a note if it rewrites the session."""
    answer = http_request(base_url + path, headers)
    if answer.status != 200:
        raise BenchError(f"{path} answers {answer.status} to the learner, not 200")
    if f'action="{LEARNER_PAGES[path]}"' not in answer.body:
        raise BenchError(f"{path} did not show the learner's form: not signed in or not enrolled?")
    if answer.headers.get_all("Set-Cookie"):
        print(f"  note: {path} sets a cookie on every request of the learner", file=sys.stderr)


def wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    """Poll /healthz until it answers 200, gunicorn dies, or the start-up time runs out."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}:\n{_log_tail(log_path)}")
        try:
            if fetch_status(base_url + "/healthz", {}) == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise BenchError(
        f"/healthz did not answer within {STARTUP_TIMEOUT_SECONDS} s:\n{_log_tail(log_path)}"
    )


def stop_gunicorn(process: subprocess.Popen) -> None:
    """Ask gunicorn to shut down gracefully; kill its process group if it does not."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        # The group is the session started for gunicorn: its master and workers, nothing else.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def _stat_fields(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name, which may hold spaces."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def worker_pids(master_pid: int) -> list[int]:
    """The processes whose parent is the gunicorn master."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(entry.name)[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        if parent == master_pid:
            pids.append(int(entry.name))
    return sorted(pids)


def cpu_snapshot(master_pid: int) -> CpuSnapshot:
    """Read the CPU time counters that tell the server's cost from other programs' load."""
    ticks = os.sysconf("SC_CLK_TCK")
    # /proc/stat's first line: user nice system idle iowait irq softirq steal (in ticks).
    first_line = Path("/proc/stat").read_text().split("\n", 1)[0]
    counters = [int(value) for value in first_line.split()[1:9]]
    machine = (sum(counters) - counters[3] - counters[4]) / ticks
    server = 0.0
    for pid in [master_pid, *worker_pids(master_pid)]:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        server += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return CpuSnapshot(machine, server, children.ru_utime + children.ru_stime)


def _memory_mb(path: str, key: str) -> float:
    """One kB figure of a /proc memory file, in MB, or 0 if the process has gone."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def resident_mb(pid: int) -> float:
    """A process's resident set size (VmRSS) in MB: what the design's memory target means."""
    return _memory_mb(f"/proc/{pid}/status", "VmRSS:")


def proportional_mb(pid: int) -> float:
    """A process's proportional set size (Pss) in MB: RSS with shared pages split among sharers."""
    return _memory_mb(f"/proc/{pid}/smaps_rollup", "Pss:")


def wait_until_idle(master_pid: int) -> float:
    """Wait until gunicorn has finished the requests of the previous step; the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_TIMEOUT_SECONDS:
        before = cpu_snapshot(master_pid).server
        time.sleep(IDLE_INTERVAL_SECONDS)
        if cpu_snapshot(master_pid).server - before < IDLE_CORES * IDLE_INTERVAL_SECONDS:
            break
    return round(time.monotonic() - started, 1)


def request_headers(settings: Settings, target: Target, cookie: str) -> dict[str, str]:
    """The headers each request of a target carries: the language; the session for a learner."""
    headers = {"Accept-Language": settings.accept_language} if settings.accept_language else {}
    if target.as_learner:
        headers["Cookie"] = cookie
    return headers


def wrk_command(
    wrk: str, url: str, settings: Settings, seconds: int, headers: dict[str, str] | None = None
) -> list[str]:
    """The wrk command line for one target."""
    command = [
        wrk,
        f"-t{settings.wrk_threads}",
        f"-c{settings.connections}",
        f"-d{seconds}s",
        "--latency",
    ]
    if headers is None:  # the visitors' headers
        headers = request_headers(settings, Target(url), "")
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return [*command, url]


def run_wrk(command: list[str], seconds: int) -> str:
    """Run wrk and return its report."""
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + WRK_GRACE_SECONDS, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return completed.stdout


def parse_wrk(path: str, report: str) -> Result:
    """Requests per second, median and 99th percentile latency, and errors, from wrk's report."""
    rate = _WRK_RATE.search(report)
    total = _WRK_TOTAL.search(report)
    percentiles = {
        share: float(value) * _TIME_UNIT_MS[unit]
        for share, value, unit in _WRK_PERCENTILE.findall(report)
    }
    if rate is None or total is None or set(percentiles) != {"50", "99"}:
        raise BenchError(f"cannot read wrk's report for {path}:\n{report}")
    non_success = _WRK_NON_SUCCESS.search(report)
    socket_errors = _WRK_SOCKET_ERRORS.search(report)
    return Result(
        path=path,
        requests_per_second=float(rate.group(1)),
        p50_ms=round(percentiles["50"], 2),
        p99_ms=round(percentiles["99"], 2),
        requests=int(total.group(1)),
        non_success=int(non_success.group(1)) if non_success else 0,
        socket_errors=sum(int(count) for count in socket_errors.groups()) if socket_errors else 0,
    )


def benchmark(
    wrk: str, base_url: str, settings: Settings, master_pid: int, pages: tuple[Target, ...]
) -> list[Result]:
    """Check every target answers 200, warm them all up, then measure them one by one."""
    cookie = ""
    if any(target.as_learner for target in pages):
        cookie = sign_in(base_url, request_headers(settings, Target(""), ""))
    headers = {target: request_headers(settings, target, cookie) for target in pages}
    for target in pages:
        if target.as_learner:
            check_learner_page(base_url, target.path, headers[target])
            continue
        status = fetch_status(base_url + target.path, headers[target])
        if status != 200:
            raise BenchError(f"{target.path} answers {status}, not 200: nothing to measure")
    # Warm-up: both workers compile templates and fill their caches before any measure.
    for target in pages if settings.warmup_seconds else ():
        warmup = wrk_command(
            wrk, base_url + target.path, settings, settings.warmup_seconds, headers[target]
        )
        run_wrk(warmup, settings.warmup_seconds)
    results = []
    for target in pages:
        waited = wait_until_idle(master_pid)
        print(
            f"  measuring {target.label} for {settings.duration_seconds} s"
            f" (after {waited} s for the server to be idle)",
            file=sys.stderr,
        )
        command = wrk_command(
            wrk, base_url + target.path, settings, settings.duration_seconds, headers[target]
        )
        before = cpu_snapshot(master_pid)
        started = time.monotonic()
        result = parse_wrk(target.path, run_wrk(command, settings.duration_seconds))
        result.as_learner = target.as_learner
        elapsed = time.monotonic() - started
        after = cpu_snapshot(master_pid)
        server = after.server - before.server
        result.server_cpu_ms_per_request = round(server * 1000 / max(result.requests, 1), 3)
        # Whatever the machine spent beyond gunicorn, wrk and this script: other programs.
        own = server + (after.children - before.children)
        result.other_cpu_cores = round(max(after.machine - before.machine - own, 0.0) / elapsed, 2)
        workers = worker_pids(master_pid)
        result.worker_rss_mb = {str(pid): resident_mb(pid) for pid in workers}
        result.worker_pss_mb = {str(pid): proportional_mb(pid) for pid in workers}
        results.append(result)
        if target.as_learner:  # wrk counts a redirect to /login as a success: check it is not
            check_learner_page(base_url, target.path, headers[target])
    bare = results[0].requests_per_second
    for result in results:
        result.ratio_to_bare = round(result.requests_per_second / bare, 2) if bare else 0.0
    return results


def max_worker_rss(results: list[Result]) -> float:
    """The largest resident size seen in any worker after any target."""
    return max((mb for result in results for mb in result.worker_rss_mb.values()), default=0.0)


def max_worker_pss(results: list[Result]) -> float:
    """The largest proportional size seen in any worker after any target."""
    return max((mb for result in results for mb in result.worker_pss_mb.values()), default=0.0)


def _verdict(result: Result) -> str:
    """Which throughput and latency targets a page meets ('-' for the bare route)."""
    if result.path == BARE_ROUTE:
        return "-"
    misses = []
    if result.ratio_to_bare < TARGET_RATIO:
        misses.append("ratio")
    if result.p99_ms >= TARGET_P99_MS:
        misses.append("p99")
    if result.non_success or result.socket_errors:
        misses.append("errors")
    return "meets" if not misses else "misses " + "+".join(misses)


def format_table(results: list[Result]) -> str:
    """The results as a Markdown table, readable in a terminal and pasteable in the README."""
    lines = [
        "| page | req/s | ratio to hello | p50 ms | p99 ms | CPU ms/req | errors | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        lines.append(
            f"| {Target(result.path, result.as_learner).label}"
            f" | {result.requests_per_second:,.0f} | {result.ratio_to_bare:.2f}"
            f" | {result.p50_ms:.2f} | {result.p99_ms:.2f} | {result.server_cpu_ms_per_request:.2f}"
            f" | {result.non_success + result.socket_errors} | {_verdict(result)} |"
        )
    rss = max_worker_rss(results)
    memory = "meets" if rss < TARGET_RSS_MB else "misses"
    lines.append("")
    lines.append(
        f"Max worker RSS: {rss:.1f} MB (target under {TARGET_RSS_MB:.0f} MB: {memory}); "
        f"max worker PSS: {max_worker_pss(results):.1f} MB"
    )
    busiest = max(result.other_cpu_cores for result in results)
    if busiest > OTHER_LOAD_WARNING_CORES:
        lines.append(
            f"Warning: other programs used up to {busiest:.2f} cores during the run; "
            "the figures are lower than on a quiet machine."
        )
    return "\n".join(lines)


def code_fingerprint() -> str:
    """A short hash of the application's code, templates and content, to tie figures to code.

    The benchmark runs no git command: the working tree may hold uncommitted changes.
    """
    digest = hashlib.sha256()
    for folder in FINGERPRINTED:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def write_results(
    settings: Settings, data_set: dict, results: list[Result], fingerprint: str
) -> Path:
    """Save the run as JSON in bench/results/latest.json (git-ignored)."""
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "code_fingerprint": fingerprint,
        "settings": asdict(settings),
        "data_set": {key: value for key, value in data_set.items() if key != "path"},
        "targets": {"ratio": TARGET_RATIO, "p99_ms": TARGET_P99_MS, "rss_mb": TARGET_RSS_MB},
        "results": [asdict(result) for result in results],
        "max_worker_rss_mb": max_worker_rss(results),
        "max_worker_pss_mb": max_worker_pss(results),
    }
    RESULTS_PATH.write_text(json.dumps(document, indent=2) + "\n")
    return RESULTS_PATH


def _positive(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parse_arguments(argv: list[str] | None) -> Settings:
    """Read the command line into the run's settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=_positive, default=10, help="seconds per target")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per target")
    parser.add_argument("--connections", type=_positive, default=16)
    parser.add_argument("--wrk-threads", type=_positive, default=2)
    parser.add_argument("--workers", type=_positive, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=_positive, default=1, help="per gunicorn worker")
    parser.add_argument("--accept-language", default="en", help="'' sends no such header")
    parser.add_argument("--organisations", type=_positive, default=DEFAULT_ORGANISATIONS)
    parser.add_argument("--users", type=_positive, default=DEFAULT_USERS)
    parser.add_argument("--actions", type=_positive, default=DEFAULT_ACTIONS)
    parser.add_argument("--enrolments", type=_positive, default=DEFAULT_ENROLMENTS)
    parser.add_argument("--events", type=_positive, default=DEFAULT_EVENTS)
    parser.add_argument(
        "--event-registrations", type=_positive, default=DEFAULT_EVENT_REGISTRATIONS
    )
    arguments = parser.parse_args(argv)
    return Settings(
        workers=arguments.workers,
        worker_class=arguments.worker_class,
        threads=arguments.threads,
        wrk_threads=arguments.wrk_threads,
        connections=arguments.connections,
        duration_seconds=arguments.duration,
        warmup_seconds=max(arguments.warmup, 0),
        accept_language=arguments.accept_language,
        organisations=arguments.organisations,
        users=arguments.users,
        actions=arguments.actions,
        enrolments=arguments.enrolments,
        events=arguments.events,
        event_registrations=arguments.event_registrations,
    )


def run(settings: Settings) -> int:
    """Generate the data, serve it, measure every target, report, and stop what was started."""
    wrk, gunicorn = find_tools()
    fingerprint = code_fingerprint()
    with tempfile.TemporaryDirectory(prefix="cta-bench-") as temporary:
        directory = Path(temporary)
        environment = server_environment(directory / "bench.sqlite", directory / "instance")
        data_set = generate_data(directory / "bench.sqlite", settings, environment)
        print(
            f"data set: {data_set['organisations']:,} organisations, {data_set['users']:,} "
            f"users, {data_set['memberships']:,} memberships, {data_set['actions']:,} "
            f"actions ({data_set['action_priorities']:,} priority links), "
            f"{data_set['access_grants']:,} access grants, {data_set['enrolments']:,} enrolments "
            f"({data_set['lesson_progress']:,} lesson progress rows, {data_set['attempts']:,} "
            f"attempts, {data_set['certificates']:,} certificates), {data_set['events']:,} "
            f"events ({data_set['event_registrations']:,} registrations, "
            f"{data_set['event_segments']:,} agenda segments) in {data_set['seconds']} s",
            file=sys.stderr,
        )
        database = directory / "bench.sqlite"
        pages = targets(first_published_action(database), first_upcoming_session(database))
        port = free_port()
        log_path = directory / "gunicorn.log"
        process = start_gunicorn(gunicorn, port, settings, environment, log_path)
        try:
            base_url = f"http://{HOST}:{port}"
            wait_until_healthy(base_url, process, log_path)
            results = benchmark(wrk, base_url, settings, process.pid, pages)
        finally:
            stop_gunicorn(process)
    print(
        f"gunicorn {settings.workers} x {settings.worker_class} (threads {settings.threads}); "
        f"wrk -t{settings.wrk_threads} -c{settings.connections} -d{settings.duration_seconds}s; "
        f"{os.cpu_count()} CPUs; code {fingerprint}"
    )
    print(format_table(results))
    path = write_results(settings, data_set, results, fingerprint)
    print(f"JSON: {path.relative_to(PROJECT_ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: clear messages and exit codes instead of tracebacks."""
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    try:
        return run(parse_arguments(argv))
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as error:
        print(f"bench: timed out: {' '.join(map(str, error.cmd))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; everything it started is stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
