"""Migrations build the whole schema, match the models, and keep existing data."""

import itertools

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import text

from cta_learning import create_app
from cta_learning.extensions import db
from tests.conftest import BACKENDS, TEST_CONFIG

_names = itertools.count()


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path):
    """An app on a database with no table at all."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database(
            f"cta_migrations_{next(_names)}"
        )
    else:
        url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    yield app
    with app.app_context():
        db.engine.dispose()


def revisions(app) -> list[str]:
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_upgrade_to_head_matches_the_models(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_upgrade_keeps_existing_data(empty_app):
    first, *_ = revisions(empty_app)
    with empty_app.app_context():
        upgrade(revision=first)
        db.session.execute(
            text(
                "INSERT INTO users (email, name, password_hash, role, locale, timezone, is_active, "
                "session_token, created_at) VALUES ('kept@example.org', 'Kept', 'x', 'member', 'fr', "
                "'UTC', true, 'token', '2024-01-01 00:00:00')"
            )
        )
        db.session.commit()
        upgrade()
        upgrade()  # running it again changes nothing
        assert db.session.execute(text("SELECT name FROM users")).scalars().all() == ["Kept"]
