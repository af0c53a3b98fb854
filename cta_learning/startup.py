"""Checks at start: a strong secret key, a writable instance folder, a database that answers.

Production refuses to start on a weak secret key; web servers (cta_learning.wsgi) and
`flask check` also refuse to start when the instance folder or the database is unusable,
with a message that says what to fix, rather than failing on the first request.
"""

import getpass
import logging
import os
import tempfile

import click
from flask import Flask
from flask.cli import with_appcontext
from flask.logging import default_handler
from sqlalchemy import text

from cta_learning import request_log
from cta_learning.config import DEVELOPMENT_SECRET_KEY
from cta_learning.extensions import db

MIN_SECRET_KEY_LENGTH = 32
# Values copied from tutorials and sample files: long enough, but public.
KNOWN_WEAK_SECRET_KEYS = {
    DEVELOPMENT_SECRET_KEY,
    "changeme",
    "change-me",
    "secret",
    "secret-key",
    "secret_key",
    "super-secret-key",
    "your-secret-key",
    "dev",
    "development",
    "test",
    "password",
}
GENERATOR_COMMAND = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class StartupError(RuntimeError):
    """A setting or resource that keeps the application from running safely."""


def secret_key_weakness(key: str | None) -> str | None:
    """Why this secret key is unfit for production, or None when it is fine."""
    if not key:
        return "empty"
    if key in KNOWN_WEAK_SECRET_KEYS or key.lower() in KNOWN_WEAK_SECRET_KEYS:
        return "a publicly known value"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < 8:
        return "made of too few different characters"
    return None


def check_secret_key(app: Flask) -> None:
    """Refuse a weak key in production; elsewhere, warn once when the development key is used."""
    key = app.config.get("SECRET_KEY")
    if app.config["ENV_NAME"] == "production":
        weakness = secret_key_weakness(key)
        if weakness:
            raise StartupError(
                f"CTA_SECRET_KEY is {weakness}: production needs a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters. Generate one with: {GENERATOR_COMMAND}"
            )
    elif key == DEVELOPMENT_SECRET_KEY and not app.config.get("TESTING"):
        app.logger.warning(
            "Using the public development secret key: anyone can forge sessions and emailed "
            "links. Set CTA_SECRET_KEY (generate one with: %s) before exposing this server.",
            GENERATOR_COMMAND,
        )


def public_url(app: Flask) -> str:
    """CTA_PUBLIC_URL, the address links in emails lead to. Without it, production refuses to
    start (a guess would send people to a wrong address); elsewhere it is the address the
    development server serves: FLASK_RUN_HOST and FLASK_RUN_PORT as `flask run` reads them
    (`make run` sets CTA_PUBLIC_URL from its HOST and PORT), else http://127.0.0.1:5000."""
    url = str(app.config.get("PUBLIC_URL") or "").strip()
    if url:
        return url
    if app.config["ENV_NAME"] == "production":
        raise StartupError(
            "CTA_PUBLIC_URL is empty: production needs the address people reach the site at, "
            "which every link in emails leads to (for example https://learning.example.org)."
        )
    host = os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    # Served on every interface: links lead to this machine, on its loopback address.
    if host in ("0.0.0.0", "::"):  # noqa: S104  # nosec B104
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('FLASK_RUN_PORT') or 5000}"


def configure_logging(app: Flask) -> None:
    """Log to stderr at LOG_LEVEL: as JSON lines with CTA_REQUEST_LOG=json, else as text."""
    mode = str(app.config["REQUEST_LOG"] or "").strip().lower()
    if mode not in ("", "json"):
        raise StartupError(
            f"CTA_REQUEST_LOG={app.config['REQUEST_LOG']!r} is not a log format: "
            "set it to json (one JSON line per request) or leave it empty."
        )
    app.config["REQUEST_LOG"] = mode
    level = app.config["LOG_LEVEL"]
    if mode != "json":
        logging.basicConfig(level=level)
        return
    root = logging.getLogger()
    # One handler however many apps a process builds (tests, `flask` commands).
    for handler in [h for h in root.handlers if isinstance(h.formatter, request_log.JsonFormatter)]:
        root.removeHandler(handler)
    handler = request_log.StderrHandler()
    handler.setFormatter(request_log.JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # Request lines are INFO records, written whatever level other records are kept from.
    logging.getLogger(request_log.REQUEST_LOGGER).setLevel(logging.INFO)
    # Flask's own text handler would write the app's records a second time, not as JSON.
    app.logger.removeHandler(default_handler)


def ensure_instance_folder(app: Flask) -> None:
    """Create the instance folder if needed and prove that this user can write in it."""
    path = app.instance_path
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise StartupError(
            f"The instance folder {path} is not writable by the user {getpass.getuser()} "
            f"({error.strerror or error}). Give that user write permission on it "
            "(for example: chown or chmod u+rwx), or set CTA_INSTANCE_PATH to a writable folder."
        ) from error


def check_database(app: Flask) -> None:
    """Fail with the database's address (password hidden) when it does not answer; leave no
    connection open (gunicorn --preload forks its workers after this check)."""
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as error:
            where = db.engine.url.render_as_string(hide_password=True)
            raise StartupError(
                f"The database {where} does not answer ({type(error).__name__}: "
                f"{str(error).splitlines()[0]}). Check CTA_DATABASE_URL and that the server runs."
            ) from error
        finally:
            db.session.remove()
            db.engine.dispose()


def check_ready(app: Flask) -> None:
    """Every check a server runs before it accepts requests."""
    check_secret_key(app)
    ensure_instance_folder(app)
    check_database(app)


def warm_up(app: Flask) -> None:
    """Load, before the workers fork, what every worker would otherwise load for itself: the
    compiled templates, and per language the translations, the locale's data and the country
    names. Workers then share it (copy-on-write) instead of each holding a copy."""
    from babel import Locale
    from flask_babel import get_translations

    from cta_learning import content, i18n

    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        app.jinja_env.get_template(name)
    for language in app.config["LANGUAGES"]:
        with app.test_request_context(headers={"Accept-Language": language}):
            get_translations()
            i18n.country_choices()
            Locale.parse(language).time_zones  # noqa: B018 - loads the locale's data
            content.priorities()


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Check the settings, the instance folder and the database, as a server does at start."""
    from flask import current_app

    try:
        # The application itself, not the proxy (typed as the Flask it stands for).
        check_ready(current_app._get_current_object())  # type: ignore[attr-defined]
    except StartupError as error:
        raise click.ClickException(str(error)) from error
    click.echo("Settings, instance folder and database: ready.")
