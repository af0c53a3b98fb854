"""CTA_REQUEST_LOG=json: one JSON line per request, secrets masked, every record as JSON."""

import json
import logging
import re

import pytest

from cta_learning import create_app
from cta_learning.request_log import REQUEST_LOGGER, JsonFormatter
from cta_learning.startup import StartupError
from tests.conftest import TEST_CONFIG, build_app

SECRET = "s3cr3t-t0ken-value-9f8e7d"


@pytest.fixture(autouse=True)
def _restore_logging():
    """configure_logging changes process-wide loggers: put them back after each test."""
    names = ("", "cta_learning", REQUEST_LOGGER)
    loggers = [logging.getLogger(name or None) for name in names]
    saved = [(logger, logger.handlers[:], logger.level) for logger in loggers]
    yield
    for logger, handlers, level in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)


@pytest.fixture
def app(request, tmp_path):
    app, _backend = build_app(request, tmp_path, REQUEST_LOG="json", PROPAGATE_TEST_ERRORS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom on " + SECRET)

    return app


def _lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records if r.name == REQUEST_LOGGER]
    assert all("\n" not in line for line in lines)
    return [json.loads(line) for line in lines]


def _json_lines(err: str) -> list[str]:
    """The JSON lines: when tests share a process, an application built in text mode by another
    test may have put Flask's own text handler back on the "cta_learning" logger (one process
    builds one application in production, so this happens only in tests)."""
    return [line for line in err.splitlines() if line.startswith("{")]


def test_each_request_writes_one_json_line_with_its_fields(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/priorities?lang=fr&secret=1")
    (line,) = _lines(caplog)
    assert set(line) == {
        "time",
        "method",
        "path",
        "endpoint",
        "status",
        "duration_ms",
        "size",
        "user",
        "client",
        "request_id",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert line["method"] == "GET" and line["path"] == "/priorities"  # no query string
    assert line["status"] == response.status_code == 200
    assert line["endpoint"] == "pages.priorities"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["size"] == len(response.data)
    assert line["user"] is None and line["client"] == "127.0.0.1"
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert response.headers["X-Request-Id"] == line["request_id"]


def test_the_request_id_of_nginx_is_kept_and_a_strange_one_replaced(client, caplog):
    caplog.set_level(logging.INFO)
    kept = client.get("/healthz", headers={"X-Request-Id": "0123456789abcdef0123456789abcdef"})
    replaced = client.get("/healthz", headers={"X-Request-Id": 'x" injected\tline'})
    first, second = _lines(caplog)
    assert first["request_id"] == kept.headers["X-Request-Id"] == "0123456789abcdef" * 2
    assert "injected" not in second["request_id"]
    assert replaced.headers["X-Request-Id"] == second["request_id"]


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        (f"/password/reset/{SECRET}", "/password/reset/…"),
        (f"/confirm/{SECRET}", "/confirm/…"),
        (f"/invitations/{SECRET}", "/invitations/…"),
        (f"/mailing/preferences/{SECRET}/data.json", "/mailing/preferences/…/data.json"),
        (f"/events/calendar/{SECRET}.ics", "/events/calendar/….ics"),
    ],
)
def test_tokens_in_paths_are_masked(client, caplog, path, masked):
    caplog.set_level(logging.INFO)
    client.get(path)
    (line,) = _lines(caplog)
    assert line["path"] == masked
    assert SECRET not in caplog.text


def test_a_signed_in_person_is_logged_by_id(client, auth, caplog):
    user = auth.login_as("member")
    caplog.set_level(logging.INFO)
    caplog.clear()
    client.get("/dashboard")
    (line,) = _lines(caplog)
    assert line["user"] == user.id


def test_not_found_and_server_errors_are_logged(capsys, client):
    # capsys first: the app's handler then writes to the stream it reads.
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/boom").status_code == 500
    not_found, failure, error = map(json.loads, _json_lines(capsys.readouterr().err))
    assert (not_found["status"], not_found["endpoint"]) == (404, None)
    assert (error["status"], error["path"]) == (500, "/boom")
    # The traceback, from another logger: one JSON record too, tied to the request.
    assert failure["level"] == "ERROR" and "RuntimeError" in failure["exception"]
    assert failure["request_id"] == error["request_id"]


def test_an_exception_that_escapes_is_logged_as_a_500(app, caplog):
    app.config["PROPAGATE_TEST_ERRORS"] = True
    caplog.set_level(logging.INFO)
    with pytest.raises(RuntimeError):
        app.test_client().get("/boom")
    (line,) = _lines(caplog)
    assert line["status"] == 500 and line["endpoint"] == "boom"


def test_other_records_go_out_as_json_on_stderr(capsys, app):
    logging.getLogger("cta_learning.anything").warning("disk %s full", "nearly")
    (line,) = _json_lines(capsys.readouterr().err)
    record = json.loads(line)
    assert (record["level"], record["logger"], record["message"]) == (
        "WARNING",
        "cta_learning.anything",
        "disk nearly full",
    )


def test_requests_are_logged_whatever_the_level_of_other_records(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'quiet.sqlite'}"
    config = {"SQLALCHEMY_DATABASE_URI": url, "REQUEST_LOG": "json", "LOG_LEVEL": "WARNING"}
    quiet = create_app({**TEST_CONFIG, **config})
    quiet.test_client().get("/healthz")
    assert len(_lines(caplog)) == 1


def test_off_by_default(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'off.sqlite'}"
    plain = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    caplog.set_level(logging.INFO)
    response = plain.test_client().get("/healthz")
    assert "X-Request-Id" not in response.headers
    assert not [r for r in caplog.records if r.name == REQUEST_LOGGER]


def test_an_unknown_format_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'bad.sqlite'}"
    with pytest.raises(StartupError, match="CTA_REQUEST_LOG='text' is not a log format"):
        create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "REQUEST_LOG": "text"})
