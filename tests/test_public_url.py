"""Links in emails lead to the address the platform is served at (CTA_PUBLIC_URL)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from cta_learning import create_app, startup
from cta_learning.security import public_url_for
from tests.conftest import TEST_CONFIG
from tests.servers import missing

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "b7Qe1mV9xZ2kLp4sT8nW3cR6yH0jF5dG"


@pytest.fixture
def plain_environment(monkeypatch):
    for name in ("CTA_PUBLIC_URL", "FLASK_RUN_HOST", "FLASK_RUN_PORT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def app_without_public_url(tmp_path, **config):
    settings = {key: value for key, value in TEST_CONFIG.items() if key != "PUBLIC_URL"}
    uri = f"sqlite:///{tmp_path / 'u.sqlite'}"
    return create_app({**settings, "SQLALCHEMY_DATABASE_URI": uri, **config})


def make_run_environment(*arguments: str, **environment: str) -> list[str]:
    """What CTA_PUBLIC_URL each step of `make run` gets (the steps only print it)."""
    if shutil.which("make") is None:
        missing("make is not installed (apt-get install make)")
    result = subprocess.run(
        [
            "make",
            "-s",
            "-o",
            ".venv/.installed",
            "run",
            "FLASK=printenv CTA_PUBLIC_URL #",
            *arguments,
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()


def test_make_run_sends_links_to_the_port_it_serves():
    assert set(make_run_environment("PORT=8123")) == {"http://127.0.0.1:8123"}
    assert set(make_run_environment("HOST=0.0.0.0", "PORT=9000")) == {"http://127.0.0.1:9000"}
    assert set(make_run_environment()) == {"http://127.0.0.1:5000"}


def test_make_run_keeps_an_address_given_by_the_environment():
    given = make_run_environment("PORT=8123", CTA_PUBLIC_URL="https://demo.example.org")
    assert set(given) == {"https://demo.example.org"}


def test_development_links_follow_the_development_server_s_address(tmp_path, plain_environment):
    assert app_without_public_url(tmp_path).config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    plain_environment.setenv("FLASK_RUN_PORT", "8123")
    app = app_without_public_url(tmp_path)
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:8123"
    with app.test_request_context("/", base_url="http://localhost:5000"):
        assert public_url_for("auth.login") == "http://127.0.0.1:8123/login"  # not the request's


def test_an_explicit_address_wins(tmp_path, plain_environment):
    plain_environment.setenv("FLASK_RUN_PORT", "8123")
    app = app_without_public_url(tmp_path, PUBLIC_URL="https://learning.example.org")
    assert app.config["PUBLIC_URL"] == "https://learning.example.org"


def test_production_refuses_to_start_without_an_address(tmp_path, plain_environment):
    with pytest.raises(startup.StartupError, match="CTA_PUBLIC_URL is empty"):
        app_without_public_url(tmp_path, ENV_NAME="production", SECRET_KEY=STRONG_KEY)
    plain_environment.setenv("FLASK_RUN_PORT", "8123")  # no guess in production either
    with pytest.raises(startup.StartupError, match="CTA_PUBLIC_URL is empty"):
        app_without_public_url(tmp_path, ENV_NAME="production", SECRET_KEY=STRONG_KEY)
    app = app_without_public_url(
        tmp_path,
        ENV_NAME="production",
        SECRET_KEY=STRONG_KEY,
        PUBLIC_URL="https://learning.example.org",
    )
    assert app.config["PUBLIC_URL"] == "https://learning.example.org"


def test_the_demo_says_where_links_lead(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Links in emails lead to https://learning.example.org" in result.output
