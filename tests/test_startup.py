"""Checks at start (secret key, instance folder, database) and the page while the database is down."""

import logging
import os
import secrets
import subprocess
import sys

import pytest
from sqlalchemy import text

from cta_learning import create_app, startup
from cta_learning.config import DEVELOPMENT_SECRET_KEY
from cta_learning.extensions import db
from tests.conftest import TEST_CONFIG
from tests.servers import free_port

STRONG_KEY = secrets.token_urlsafe(48)
DOWN = "The platform cannot reach its database right now."


def production(tmp_path, **config):
    return {
        "ENV_NAME": "production",
        "PUBLIC_URL": "https://learning.example.org",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}",
        **config,
    }


@pytest.mark.parametrize(
    "key",
    ["", "a", "x" * 31, DEVELOPMENT_SECRET_KEY, "changeme", "Super-Secret-Key", "ab" * 30],
    ids=["empty", "one-letter", "short", "development", "known", "known-any-case", "repetitive"],
)
def test_production_refuses_weak_secret_keys(tmp_path, key):
    with pytest.raises(startup.StartupError, match="CTA_SECRET_KEY") as refused:
        create_app(production(tmp_path, SECRET_KEY=key))
    assert "secrets.token_urlsafe" in str(refused.value)  # says how to generate one


def test_production_accepts_a_random_secret_key(tmp_path):
    app = create_app(production(tmp_path, SECRET_KEY=STRONG_KEY))
    assert app.config["SECRET_KEY"] == STRONG_KEY


def test_development_key_is_warned_about_on_start(tmp_path, caplog):
    uri = f"sqlite:///{tmp_path / 'd.sqlite'}"
    with caplog.at_level(logging.WARNING):
        create_app({"SQLALCHEMY_DATABASE_URI": uri})
    warnings = [r for r in caplog.records if "development secret key" in r.getMessage()]
    assert len(warnings) == 1 and "CTA_SECRET_KEY" in warnings[0].getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
        create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": STRONG_KEY})
    assert not [r for r in caplog.records if "development secret key" in r.getMessage()]


def test_unwritable_instance_folder_is_named_with_the_permission(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    instance = blocker / "instance"
    monkeypatch.setenv("CTA_INSTANCE_PATH", str(instance))
    with pytest.raises(startup.StartupError) as refused:
        create_app({"DATABASE_URL": ""})
    message = str(refused.value)
    assert str(instance) in message and "write permission" in message
    assert "CTA_INSTANCE_PATH" in message


def test_a_database_that_does_not_answer_is_refused_at_start(tmp_path):
    url = f"postgresql+psycopg://cta:hunter2@127.0.0.1:{free_port()}/cta"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with pytest.raises(startup.StartupError, match="does not answer") as refused:
        startup.check_ready(app)
    assert "127.0.0.1" in str(refused.value) and "hunter2" not in str(refused.value)


def test_flask_check_reports_ready_or_what_to_fix(tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}"})
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0 and "ready" in result.output
    broken = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/gone/c.db"}
    )
    result = broken.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1 and "does not answer" in result.output


def test_the_web_server_entry_point_refuses_a_weak_key(tmp_path):
    env = {
        **os.environ,
        "CTA_ENV_NAME": "production",
        "CTA_SECRET_KEY": "a",
        "CTA_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import cta_learning.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "CTA_SECRET_KEY is shorter than 32 characters" in result.stderr


# --- while the database is down ----------------------------------------------------------


def _unreachable_app(backend: str, tmp_path):
    if backend == "postgresql":  # nothing listens on this port: connection refused
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/cta_test"
    else:
        url = f"sqlite:///{tmp_path}/removed/folder/cta.sqlite"
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_pages_answer_503_while_the_database_is_down(tmp_path, backend):
    app = _unreachable_app(backend, tmp_path)

    @app.get("/api/v1/probe")
    def probe():
        return {"rows": db.session.execute(text("SELECT 1")).scalar()}

    client = app.test_client()
    response = client.get("/events/")
    assert response.status_code == 503
    assert DOWN in response.get_data(as_text=True)
    api = client.get("/api/v1/probe")
    assert api.status_code == 503
    assert api.json["error"]["code"] == "service_unavailable"  # the API's one error shape


def test_a_signed_in_page_answers_503_when_the_database_goes_away(tmp_path, make_app_on):
    app, client, folder = make_app_on(tmp_path)
    with app.app_context():
        db.engine.dispose()
    folder.rename(tmp_path / "moved-away")
    response = client.get("/dashboard", headers={"Accept-Language": "fr"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "La plateforme ne parvient pas à accéder à sa base de données" in page
    folder.parent.joinpath("moved-away").rename(folder)  # the database is back
    assert client.get("/dashboard").status_code == 200


def test_a_schema_error_is_a_server_error_not_an_outage(tmp_path, make_app_on):
    app, client, _folder = make_app_on(tmp_path)
    app.config["PROPAGATE_TEST_ERRORS"] = False
    with app.app_context():
        db.session.execute(text("ALTER TABLE events RENAME TO events_gone"))
        db.session.commit()
    assert client.get("/events/").status_code == 500


@pytest.fixture
def make_app_on():
    """An app on a SQLite file in its own folder, with a signed-in member."""

    def build(tmp_path):
        folder = tmp_path / "database"
        folder.mkdir()
        uri = f"sqlite:///{folder / 'cta.sqlite'}"
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
        with app.app_context():
            db.create_all()
        from tests.conftest import Auth, Factories

        client = app.test_client()
        Auth(client, Factories(app)).login_as("member")
        return app, client, folder

    return build
