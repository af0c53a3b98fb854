"""The benchmark runner's pieces that need no server: its arguments, the data set's scale,
the verdicts per kind of page, and the comparison with the run at scale 1. (The runner itself
starts Redis, a database, gunicorn and wrk: it is run by hand, never by the test suite.)"""

import json

import pytest

from bench import report
from bench.pages import SIGNED_IN, VISITOR
from bench.report import Result
from bench.run import parse_arguments, server_environment


def _result(name: str, category: str = VISITOR, **figures) -> Result:
    values = {
        "requests_per_second": 500.0,
        "p50_ms": 5.0,
        "p99_ms": 10.0,
        "requests": 5_000,
        "non_success": 0,
        "socket_errors": 0,
        "ratio_to_bare": 0.6,
        "server_cpu_ms_per_request": 2.0,
        **figures,
    }
    return Result(path=name, name=name, category=category, **values)


def test_scale_multiplies_every_default_count():
    settings = parse_arguments(["--scale", "10"])
    assert settings.scale == 10
    assert (settings.organisations, settings.users) == (100_000, 200_000)
    assert (settings.actions, settings.enrolments) == (500_000, 200_000)
    assert (settings.events, settings.event_registrations) == (20_000, 500_000)


def test_explicit_counts_win_over_the_scale():
    settings = parse_arguments(["--scale", "10", "--actions", "1234", "--events", "7"])
    assert (settings.actions, settings.events) == (1_234, 7)
    assert settings.enrolments == 200_000


def test_defaults_are_scale_1_on_sqlite():
    settings = parse_arguments([])
    assert (settings.database, settings.scale) == ("sqlite", 1)
    assert (settings.actions, settings.event_registrations) == (50_000, 50_000)


@pytest.mark.parametrize(
    "arguments", [["--scale", "0"], ["--scale", "-2"], ["--scale", "ten"], ["--database", "mysql"]]
)
def test_bad_arguments_are_refused_with_a_message(arguments, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse_arguments(arguments)
    assert stopped.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_the_server_gets_redis_for_rate_limits_and_cache_and_no_caller_setting(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("CTA_WORKERS", "9")
    environment = server_environment("sqlite:///x", "redis://127.0.0.1:6399", tmp_path)
    assert environment["CTA_RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6399/0"
    assert environment["CTA_REDIS_URL"] == "redis://127.0.0.1:6399/1"
    assert "CTA_WORKERS" not in environment


def test_gunicorn_options_override_the_configuration_file():
    options = parse_arguments(["--workers", "3", "--worker-class", "gthread"]).gunicorn_options()
    assert options == ["--workers", "3", "--worker-class", "gthread", "--threads", "1"]


def test_signed_in_pages_are_judged_on_their_own_targets():
    assert report.verdict(_result("/dashboard", SIGNED_IN, ratio_to_bare=0.35, p99_ms=45)) == (
        "meets"
    )
    assert report.verdict(_result("/", VISITOR, ratio_to_bare=0.35, p99_ms=45)) == (
        "misses ratio+p99"
    )
    assert report.verdict(_result("/bench/hello", "bare", ratio_to_bare=1.0)) == "-"


def test_a_larger_scale_is_compared_with_the_run_at_scale_1(tmp_path):
    at_1x = [_result("/events/"), _result("an action")]
    report.write_results({"database": "sqlite", "scale": 1.0}, at_1x, tmp_path)
    assert (tmp_path / "sqlite-1x.json").exists()
    assert json.loads((tmp_path / "latest.json").read_text())["scale"] == 1
    assert report.load_counterpart("sqlite", 1, tmp_path) is None
    assert report.load_counterpart("postgresql", 10, tmp_path) is None

    at_10x = [
        _result("/events/", server_cpu_ms_per_request=2.8),
        _result("an action", server_cpu_ms_per_request=3.4),
    ]
    report.compare_with_scale_1(at_10x, report.load_counterpart("sqlite", 10, tmp_path))
    assert [result.cpu_vs_scale_1 for result in at_10x] == [1.4, 1.7]
    assert [report.verdict(result) for result in at_10x] == ["meets", "misses flat"]
    table = report.format_table(at_10x)
    assert "| CPU vs 1x |" in table
    assert "CPU vs 1x" not in report.format_table(at_1x)


def test_memory_is_judged_on_pss():
    result = _result("/", worker_rss_mb={"1": 75.0}, worker_pss_mb={"1": 55.0})
    assert "Max worker PSS: 55.0 MB (target under 60 MB: meets)" in report.format_table([result])
