"""Benchmark the main pages against a bare route, under gunicorn, with wrk.

Usage, from the project root: .venv/bin/python -m bench.run [--duration 10]
See bench/README.md for what is measured and why.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType

from bench import report, servers
from bench.data import DEFAULT_COUNTS, add_size_arguments, counts_given, scaled_counts
from bench.database import landmarks
from bench.pages import Target, check_page, fetch_status, sign_in, targets
from bench.proc import cpu_snapshot, proportional_mb, resident_mb, worker_pids
from bench.report import Result
from bench.servers import HOST, PROJECT_ROOT, BenchError

DATABASES = ("sqlite", "postgresql")

# Bounds, so that no step can wait forever.
# The data set at scale 1 takes 17-41 s on a busy machine; the bound grows with the scale.
DATA_TIMEOUT_SECONDS = 300
STARTUP_TIMEOUT_SECONDS = 30
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
    database: str
    scale: float
    organisations: int
    users: int
    actions: int
    enrolments: int
    events: int
    event_registrations: int

    def gunicorn_options(self) -> list[str]:
        """What the run sets over gunicorn.conf.py (which gunicorn still reads)."""
        return [
            *("--workers", str(self.workers)),
            *("--worker-class", self.worker_class),
            *("--threads", str(self.threads)),
        ]


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


def server_environment(database_url: str, redis_url: str, instance_path: Path) -> dict[str, str]:
    """The caller's environment without any CTA_ setting, plus database, Redis (db 0 for rate
    limits, db 1 for the cache, as in production), secret and instance folder."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CTA_")}
    environment.update(
        CTA_DATABASE_URL=database_url,
        CTA_RATELIMIT_STORAGE_URI=f"{redis_url}/0",
        CTA_REDIS_URL=f"{redis_url}/1",
        CTA_SECRET_KEY=secrets.token_urlsafe(32),
        # The instance folder holds files the app may write; keep them out of the project.
        CTA_INSTANCE_PATH=str(instance_path),
    )
    return environment


def data_timeout(settings: Settings) -> float:
    """How long generating the data set may take: the bound at scale 1, times the scale."""
    return DATA_TIMEOUT_SECONDS * max(settings.scale, 1.0)


def generate_data(settings: Settings, environment: dict[str, str]) -> dict:
    """Build the data set in a separate process, with the server's environment.

    The migrations configure logging for Alembic; a separate process keeps that out of this one.
    """
    command = [sys.executable, "-m", "bench.data", environment["CTA_DATABASE_URL"]]
    for name in DEFAULT_COUNTS:
        command += ["--" + name.replace("_", "-"), str(getattr(settings, name))]
    completed = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=data_timeout(settings),
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"generating the data set failed:\n{completed.stderr.strip()}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    """Poll /healthz until it answers 200, gunicorn dies, or the start-up time runs out."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"gunicorn exited with {process.returncode}:\n{servers.log_tail(log_path)}"
            )
        try:
            if fetch_status(base_url + "/healthz", {}) == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise BenchError(
        f"/healthz did not answer within {STARTUP_TIMEOUT_SECONDS} s:\n"
        + servers.log_tail(log_path)
    )


def wait_until_idle(servers_pids: tuple[int, ...]) -> float:
    """Wait until gunicorn has finished the requests of the previous step; the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_TIMEOUT_SECONDS:
        before = cpu_snapshot(servers_pids).server
        time.sleep(IDLE_INTERVAL_SECONDS)
        if cpu_snapshot(servers_pids).server - before < IDLE_CORES * IDLE_INTERVAL_SECONDS:
            break
    return round(time.monotonic() - started, 1)


def request_headers(settings: Settings, target: Target, cookie: str) -> dict[str, str]:
    """The headers each request of a target carries: the language; the session for a learner."""
    headers = {"Accept-Language": settings.accept_language} if settings.accept_language else {}
    if target.as_learner:
        headers["Cookie"] = cookie
    return headers


def wrk_command(
    wrk: str, url: str, settings: Settings, seconds: int, headers: dict[str, str]
) -> list[str]:
    """The wrk command line for one target."""
    command = [
        wrk,
        f"-t{settings.wrk_threads}",
        f"-c{settings.connections}",
        f"-d{seconds}s",
        "--latency",
    ]
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


def first_renders(
    base_url: str, settings: Settings, pages: tuple[Target, ...]
) -> tuple[dict[Target, dict[str, str]], dict[Target, float]]:
    """Check each page once, right after the server started: visitors' pages first, then sign
    in and check the signed-in ones (their own copy). Each page's headers, and the ms its first
    GET took (cold caches; the dashboard's is its second, after the sign-in's landing)."""
    visitor = {target: request_headers(settings, target, "") for target in pages}
    first = {
        target: check_page(base_url, target, visitor[target])
        for target in pages
        if not target.as_learner
    }
    cookie = ""
    if any(target.as_learner for target in pages):
        cookie = sign_in(base_url, visitor[pages[0]])
    headers = {target: request_headers(settings, target, cookie) for target in pages}
    for target in pages:
        if target.as_learner:
            first[target] = check_page(base_url, target, headers[target])
    return headers, first


def measure(
    wrk: str, url: str, settings: Settings, servers_pids: tuple[int, ...], headers: dict[str, str]
) -> Result:
    """One target under load: wrk's figures, the server's CPU and the workers' memory after."""
    command = wrk_command(wrk, url, settings, settings.duration_seconds, headers)
    before = cpu_snapshot(servers_pids)
    started = time.monotonic()
    result = parse_wrk(url, run_wrk(command, settings.duration_seconds))
    elapsed = time.monotonic() - started
    after = cpu_snapshot(servers_pids)
    server = after.server - before.server
    result.server_cpu_ms_per_request = round(server * 1000 / max(result.requests, 1), 3)
    # Whatever the machine spent beyond gunicorn, wrk and this script: other programs.
    own = server + (after.children - before.children)
    result.other_cpu_cores = round(max(after.machine - before.machine - own, 0.0) / elapsed, 2)
    workers = worker_pids(servers_pids[0])  # gunicorn's
    result.worker_rss_mb = {str(pid): resident_mb(pid) for pid in workers}
    result.worker_pss_mb = {str(pid): proportional_mb(pid) for pid in workers}
    return result


def benchmark(
    wrk: str,
    base_url: str,
    settings: Settings,
    servers_pids: tuple[int, ...],
    pages: tuple[Target, ...],
) -> list[Result]:
    """Check every target (its first render timed), warm them all up, then measure them one
    by one; a signed-in page is checked again after its measure."""
    headers, first = first_renders(base_url, settings, pages)
    # Warm-up: both workers compile templates and fill their caches before any measure.
    for target in pages if settings.warmup_seconds else ():
        warmup = wrk_command(
            wrk, base_url + target.path, settings, settings.warmup_seconds, headers[target]
        )
        run_wrk(warmup, settings.warmup_seconds)
    results = []
    for target in pages:
        waited = wait_until_idle(servers_pids)
        print(
            f"  measuring {target.path} ({target.category}) for {settings.duration_seconds} s"
            f" (after {waited} s for the server to be idle)",
            file=sys.stderr,
        )
        result = measure(wrk, base_url + target.path, settings, servers_pids, headers[target])
        result.path, result.name, result.category = target.path, target.name, target.category
        result.first_render_ms = first[target]
        results.append(result)
        if target.as_learner:  # wrk counts a redirect to /login as a success: check it is not
            check_page(base_url, target, headers[target])
    bare = results[0].requests_per_second
    for result in results:
        result.ratio_to_bare = round(result.requests_per_second / bare, 2) if bare else 0.0
    return results


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
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    add_size_arguments(parser)
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
        database=arguments.database,
        scale=arguments.scale,
        **scaled_counts(arguments.scale, counts_given(arguments)),
    )


def describe(data_set: dict) -> str:
    """One line on what the data set holds and how long it took."""
    return (
        f"data set: {data_set['organisations']:,} organisations, {data_set['users']:,} "
        f"users, {data_set['memberships']:,} memberships, {data_set['actions']:,} "
        f"actions ({data_set['action_priorities']:,} priority links), "
        f"{data_set['access_grants']:,} access grants, {data_set['enrolments']:,} enrolments "
        f"({data_set['lesson_progress']:,} lesson progress rows, {data_set['attempts']:,} "
        f"attempts, {data_set['certificates']:,} certificates), {data_set['events']:,} "
        f"events ({data_set['event_registrations']:,} registrations, "
        f"{data_set['event_segments']:,} agenda segments) in {data_set['seconds']} s"
    )


def serve_and_measure(
    wrk: str, gunicorn: str, settings: Settings, directory: Path
) -> tuple[dict, list[Result]]:
    """Start Redis and the database, generate the data set, serve it with gunicorn and measure
    every target; everything started is stopped on the way out, also on error or Ctrl-C."""
    with ExitStack() as stack:
        redis_url = stack.enter_context(servers.redis(directory))
        database = stack.enter_context(
            servers.database(settings.database, directory / "bench.sqlite")
        )
        url = database.url
        environment = server_environment(url, redis_url, directory / "instance")
        data_set = generate_data(settings, environment)
        print(describe(data_set), file=sys.stderr)
        try:
            pages = targets(landmarks(url))
        except LookupError as error:
            raise BenchError(str(error)) from error
        port, log_path = free_port(), directory / "gunicorn.log"
        options = settings.gunicorn_options()
        process = servers.start_gunicorn(gunicorn, port, options, environment, log_path)
        stack.callback(servers.stop_gunicorn, process)
        base_url = f"http://{HOST}:{port}"
        wait_until_healthy(base_url, process, log_path)
        servers_pids = (process.pid, *database.server_pids)
        try:
            return data_set, benchmark(wrk, base_url, settings, servers_pids, pages)
        except BenchError as error:  # e.g. a page answering 500: the traceback is in the log
            raise BenchError(f"{error}\n{servers.log_tail(log_path)}") from error


def run(settings: Settings) -> int:
    """Generate the data, serve it, measure every target, report, and stop what was started."""
    wrk, gunicorn = find_tools()
    fingerprint = report.code_fingerprint()
    with tempfile.TemporaryDirectory(prefix="cta-bench-") as temporary:
        data_set, results = serve_and_measure(wrk, gunicorn, settings, Path(temporary))
    counterpart = report.load_counterpart(settings.database, settings.scale)
    report.compare_with_scale_1(results, counterpart)
    if counterpart and counterpart.get("code_fingerprint") != fingerprint:
        print(
            "Note: the 1x run compared with measured other code"
            f" ({counterpart.get('code_fingerprint')}): run 1x again for a fair comparison."
        )
    print(
        f"{settings.database}, scale {settings.scale:g}; gunicorn {settings.workers} x "
        f"{settings.worker_class} (threads {settings.threads}, --preload, Redis); "
        f"wrk -t{settings.wrk_threads} -c{settings.connections} -d{settings.duration_seconds}s; "
        f"{os.cpu_count()} CPUs; code {fingerprint}"
    )
    print(report.format_table(results))
    run_facts = {
        "database": settings.database,
        "scale": settings.scale,
        "code_fingerprint": fingerprint,
        "settings": asdict(settings),
        "data_set": {key: value for key, value in data_set.items() if key != "path"},
    }
    paths = report.write_results(run_facts, results)
    print("JSON: " + ", ".join(str(path.relative_to(PROJECT_ROOT)) for path in paths))
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
