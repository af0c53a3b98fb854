"""Errors, settings and database safety nets."""

import pytest
from sqlalchemy import text

from cta_learning import create_app
from cta_learning.extensions import db
from tests.conftest import TEST_CONFIG, build_app


def test_too_large_request_is_a_413_page(client):
    response = client.post("/login", data={"email": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_unexpected_error_is_a_500_page_and_rolls_back(request, tmp_path):
    app, _ = build_app(request, tmp_path, PROPAGATE_TEST_ERRORS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom", headers={"Accept-Language": "fr"})
    assert response.status_code == 500
    assert '<html lang="fr">' in response.get_data(as_text=True)


def test_production_refuses_the_development_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="CTA_SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_https_public_url_turns_on_secure_cookies_and_hsts(request, tmp_path):
    app, _ = build_app(request, tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] is True  # TEST_CONFIG uses https
    assert "max-age" in app.test_client().get("/").headers["Strict-Transport-Security"]
    plain = create_app(
        {
            **TEST_CONFIG,
            "PUBLIC_URL": "http://127.0.0.1:5000",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'plain.sqlite'}",
        }
    )
    assert plain.config["SESSION_COOKIE_SECURE"] is False


def test_session_cookie_is_http_only_and_same_site(client, auth):
    auth.login_as()
    cookie = client.get_cookie("cta_session")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.secure


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        db.engine.dispose()


def test_health_check_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
