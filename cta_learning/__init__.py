"""CTA Learning: the learning and community platform of the Call to Local Action."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from cta_learning import startup, urls
from cta_learning.config import DefaultConfig
from cta_learning.extensions import babel, cache, csrf, db, limiter, login_manager


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints and commands."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=os.environ.get("CTA_INSTANCE_PATH") or os.path.join(root, "instance"),
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config["CONTENT_PATH"] = os.path.join(root, "content")
    app.config.from_prefixed_env("CTA")
    if config:
        app.config.update(config)
    _finish_config(app)

    _init_extensions(app)
    urls.init_app(app)
    _register_blueprints(app)
    _register_commands(app)

    from cta_learning import edges, request_log, security, templating

    startup.configure_logging(app)
    request_log.init_app(app)  # before the edges: it notes the final status
    security.init_app(app)
    templating.init_app(app)
    edges.init_app(app)  # last: its commit runs before the other after-request hooks
    return app


def _finish_config(app: Flask) -> None:
    """Derive settings that depend on others, and refuse unsafe production settings."""
    startup.check_secret_key(app)
    app.config["PUBLIC_URL"] = startup.public_url(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        url = app.config["DATABASE_URL"]
        if not url:
            startup.ensure_instance_folder(app)
            url = "sqlite:///" + os.path.join(app.instance_path, "cta_learning.sqlite")
        elif url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgres://")
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if not app.config.get("RELEASE"):  # CTA_RELEASE, else what the pages are rendered from
        from cta_learning.caching import release_fingerprint

        app.config["RELEASE"] = release_fingerprint(os.path.dirname(app.root_path))
    secure = app.config["PUBLIC_URL"].startswith("https://")
    # Cookies travel only over HTTPS when the site is served over HTTPS.
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["PREFERRED_URL_SCHEME"] = "https" if secure else "http"
    proxies = int(app.config.get("PROXY_COUNT", 0))
    if proxies:
        # Flask's documented way to wrap the WSGI app, which mypy sees as replacing a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from cta_learning import database, i18n, models  # noqa: F401 - models registers every table

    db.init_app(app)
    database.init_app(app)
    if app.config["DB_MIGRATIONS"]:
        # Only where migrations run (`flask db`): web workers (cta_learning.wsgi) skip
        # Alembic, which would cost each of them about 12 MB.
        from flask_migrate import Migrate

        Migrate(
            app,
            db,
            directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
            compare_type=True,
            render_as_batch=True,
        )
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["REDIS_URL"]:
        cache.init_app(
            app, config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
        )
    else:
        cache.init_app(app, config={"CACHE_TYPE": "SimpleCache"})
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
    )
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from cta_learning import dashboard
    from cta_learning.accounts import manage as accounts_manage
    from cta_learning.accounts import organisation_views, settings_views, two_factor_views
    from cta_learning.accounts import views as auth
    from cta_learning.actions import manage as actions_manage
    from cta_learning.actions import repository_views
    from cta_learning.actions import views as actions
    from cta_learning.api import hooks as api_hooks
    from cta_learning.api.v1 import documentation as api_documentation  # noqa: F401 - its routes
    from cta_learning.api.v1 import personal as api_personal  # noqa: F401 - its routes on api_v1
    from cta_learning.api.v1 import public as api_public  # noqa: F401 - its routes on api_v1
    from cta_learning.api.v1.framework import bp as api_v1
    from cta_learning.community.events import manage as events_manage
    from cta_learning.community.events import manage_registrations as event_registrations
    from cta_learning.community.events import views as events
    from cta_learning.community.mailing import manage as mailing_manage
    from cta_learning.community.mailing import views as mailing
    from cta_learning.community.mgi import manage as mgi_manage
    from cta_learning.community.mgi import views as mgi
    from cta_learning.courses import manage as courses_manage
    from cta_learning.courses import views as courses
    from cta_learning.figures import views as figures
    from cta_learning.mail import manage as mail_manage
    from cta_learning.pages import views as pages

    for blueprint in (
        pages.bp,
        auth.bp,
        two_factor_views.bp,
        settings_views.bp,
        dashboard.bp,
        organisation_views.bp,
        accounts_manage.bp,
        actions.bp,
        repository_views.bp,
        mail_manage.bp,
        actions_manage.bp,
        api_hooks.bp,
        api_v1,
        courses.bp,
        courses_manage.bp,
        events.bp,
        events_manage.bp,
        event_registrations.bp,
        mailing.bp,
        mailing_manage.bp,
        mgi.bp,
        mgi_manage.bp,
        figures.bp,
    ):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from cta_learning import cleanup, demo, i18n
    from cta_learning.accounts import cli as accounts_cli
    from cta_learning.community.events import cli as events_cli
    from cta_learning.community.mailing import cli as mailing_cli
    from cta_learning.courses import cli as courses_cli
    from cta_learning.mail import cli as mail_cli

    app.cli.add_command(accounts_cli.users)
    app.cli.add_command(mail_cli.mail)
    app.cli.add_command(courses_cli.courses)
    app.cli.add_command(events_cli.events)
    app.cli.add_command(mailing_cli.mailing)
    app.cli.add_command(i18n.translate)
    app.cli.add_command(demo.seed_demo)
    app.cli.add_command(startup.check_command)
    app.cli.add_command(cleanup.clean_up_command)
