"""The runner's figures: each page's result, which targets it meets, the table printed, and
the JSON kept per database and scale (so that a 10x run is compared with its 1x run)."""

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.pages import BARE, FLOOR, SIGNED_IN, VISITOR

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIRECTORY = PROJECT_ROOT / "bench" / "results"
FINGERPRINTED = ("cta_learning", "templates", "content", "migrations")

# Targets from issue 14, by category of page: (least ratio to the bare route, p99 ms above).
TARGETS = {VISITOR: (0.5, 30.0), SIGNED_IN: (0.3, 50.0)}
TARGET_PSS_MB = 60.0  # per worker: what a worker costs when workers share pages (--preload)
# At a larger scale, each page's CPU per request stays within this factor of the 1x run's.
TARGET_FLAT_RATIO = 1.5
# Above this many cores busy with other programs during a measure, the figures are suspect.
OTHER_LOAD_WARNING_CORES = 0.15


@dataclass
class Result:
    """wrk's figures for one target, the server's CPU and the workers' memory right after."""

    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_success: int
    socket_errors: int
    name: str = ""
    category: str = VISITOR
    first_render_ms: float = 0.0
    server_cpu_ms_per_request: float = 0.0
    other_cpu_cores: float = 0.0
    worker_rss_mb: dict[str, float] = field(default_factory=dict)
    worker_pss_mb: dict[str, float] = field(default_factory=dict)
    ratio_to_bare: float = 0.0
    cpu_vs_scale_1: float | None = None  # CPU ms/req over the 1x run's, when there is one

    @property
    def label(self) -> str:
        return f"`{self.path}`" if self.name in ("", self.path) else f"{self.name} `{self.path}`"


def max_worker_rss(results: list[Result]) -> float:
    """The largest resident size seen in any worker after any target."""
    return max((mb for result in results for mb in result.worker_rss_mb.values()), default=0.0)


def max_worker_pss(results: list[Result]) -> float:
    """The largest proportional size seen in any worker after any target."""
    return max((mb for result in results for mb in result.worker_pss_mb.values()), default=0.0)


def verdict(result: Result) -> str:
    """Which targets of its category a page meets ('-' for the bare route)."""
    if result.category in (BARE, FLOOR):
        return "-"
    least_ratio, p99_ms = TARGETS[result.category]
    misses = []
    if result.ratio_to_bare < least_ratio:
        misses.append("ratio")
    if result.p99_ms >= p99_ms:
        misses.append("p99")
    if result.non_success or result.socket_errors:
        misses.append("errors")
    if result.cpu_vs_scale_1 is not None and result.cpu_vs_scale_1 > TARGET_FLAT_RATIO:
        misses.append("flat")
    return "meets" if not misses else "misses " + "+".join(misses)


def compare_with_scale_1(results: list[Result], counterpart: dict | None) -> None:
    """Set each result's CPU per request relative to the same page (by name) at scale 1."""
    if counterpart is None:
        return
    before = {
        entry.get("name") or entry["path"]: entry["server_cpu_ms_per_request"]
        for entry in counterpart["results"]
    }
    for result in results:
        cpu = before.get(result.name or result.path)
        if cpu:
            result.cpu_vs_scale_1 = round(result.server_cpu_ms_per_request / cpu, 2)


def format_table(results: list[Result]) -> str:
    """The results as a Markdown table, readable in a terminal and pasteable in the README."""
    flat = any(result.cpu_vs_scale_1 is not None for result in results)
    header = "| page | kind | req/s | ratio to hello | p50 ms | p99 ms | CPU ms/req | first ms"
    rule = "|---|---|---:|---:|---:|---:|---:|---:"
    if flat:
        header, rule = header + " | CPU vs 1x", rule + "|---:"
    lines = [header + " | errors | targets |", rule + "|---:|---|"]
    for result in results:
        row = (
            f"| {result.label} | {result.category}"
            f" | {result.requests_per_second:,.0f} | {result.ratio_to_bare:.2f}"
            f" | {result.p50_ms:.2f} | {result.p99_ms:.2f} | {result.server_cpu_ms_per_request:.2f}"
            f" | {result.first_render_ms:.1f}"
        )
        if flat:
            ratio = result.cpu_vs_scale_1
            row += " | -" if ratio is None else f" | {ratio:.2f}"
        lines.append(f"{row} | {result.non_success + result.socket_errors} | {verdict(result)} |")
    pss = max_worker_pss(results)
    memory = "meets" if pss < TARGET_PSS_MB else "misses"
    visitor, signed_in = TARGETS[VISITOR], TARGETS[SIGNED_IN]
    lines += [
        "",
        f"Targets: visitor pages ratio ≥ {visitor[0]} and p99 < {visitor[1]:.0f} ms; signed-in "
        f"pages ratio ≥ {signed_in[0]} and p99 < {signed_in[1]:.0f} ms"
        + (f"; CPU per request within {TARGET_FLAT_RATIO}x of the 1x run" if flat else "")
        + ". First ms: the first GET of the page after the server started (cold caches).",
        f"Max worker PSS: {pss:.1f} MB (target under {TARGET_PSS_MB:.0f} MB: {memory}); "
        f"max worker RSS: {max_worker_rss(results):.1f} MB",
    ]
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


def results_path(database: str, scale: float, directory: Path = RESULTS_DIRECTORY) -> Path:
    """Where a run's figures go: one file per database and scale, e.g. sqlite-10x.json."""
    return directory / f"{database}-{scale:g}x.json"


def load_counterpart(
    database: str, scale: float, directory: Path = RESULTS_DIRECTORY
) -> dict | None:
    """The last run at scale 1 on the same database, to compare a larger scale with."""
    if scale == 1:
        return None
    path = results_path(database, 1, directory)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_results(
    run: dict, results: list[Result], directory: Path = RESULTS_DIRECTORY
) -> list[Path]:
    """Save the run as JSON, per database and scale and as latest.json (git-ignored)."""
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        **run,
        "targets": {
            **{category: {"ratio": r, "p99_ms": p} for category, (r, p) in TARGETS.items()},
            "pss_mb": TARGET_PSS_MB,
            "cpu_vs_scale_1": TARGET_FLAT_RATIO,
        },
        "results": [asdict(result) for result in results],
        "max_worker_rss_mb": max_worker_rss(results),
        "max_worker_pss_mb": max_worker_pss(results),
    }
    text = json.dumps(document, indent=2) + "\n"
    paths = [results_path(run["database"], run["scale"], directory), directory / "latest.json"]
    for path in paths:
        path.write_text(text)
    return paths
