"""Migrations build the whole schema, match the models, and keep existing data.

At every revision, every table is filled (tests/migration_data.py reads the schema, so a new
migration needs no new code here), then upgraded to head, or downgraded one step and upgraded
again: no row may be lost nor value changed, on SQLite and PostgreSQL.
"""

import itertools
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from cta_learning import create_app
from cta_learning.extensions import db
from tests.conftest import BACKENDS, TEST_CONFIG
from tests.migration_data import (
    count_every_table,
    fill_every_table,
    lost_or_changed,
    read_every_table,
)

_names = itertools.count()

# Every revision, oldest first: a new migration is tested without touching this file.
REVISIONS = [
    revision.revision
    for revision in reversed(
        list(ScriptDirectory(str(Path(__file__).parents[1] / "migrations")).walk_revisions())
    )
]

# (table, column) -> why a migration changes or drops that column's values on purpose;
# (table, None) for a whole table. Anything else lost or changed on the way to head fails.
# None so far: no migration rewrites or drops existing values.
CHANGED_ON_PURPOSE: dict[tuple[str, str | None], str] = {}


@pytest.fixture(params=BACKENDS)
def new_app(request, tmp_path):
    """Make apps, each on a new empty database of the backend."""
    apps = []

    def make():
        if request.param == "postgresql":
            url = request.getfixturevalue("postgres_server").create_database(
                f"cta_migrations_{next(_names)}"
            )
        else:
            url = f"sqlite:///{tmp_path / f'{next(_names)}.sqlite'}"
        apps.append(create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url}))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def empty_app(new_app):
    """An app on a database with no table at all."""
    return new_app()


def test_upgrade_to_head_matches_the_models(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def populated_at(revision: str):
    """Upgrade the empty database to `revision` and fill every table it then has."""
    upgrade(revision=revision)
    with db.engine.begin() as connection:
        fill_every_table(connection)
        return read_every_table(connection)


@pytest.mark.parametrize("revision", REVISIONS)
def test_upgrade_to_head_keeps_every_row(new_app, revision):
    with new_app().app_context():
        before = populated_at(revision)
        upgrade()
        upgrade()  # running it again changes nothing
        with db.engine.connect() as connection:
            after = read_every_table(connection)
    problems = lost_or_changed(before, after, CHANGED_ON_PURPOSE)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("revision", REVISIONS)
def test_downgrade_and_upgrade_again_keep_every_row(new_app, revision):
    with new_app().app_context():
        before = populated_at(revision)
        downgrade(revision="-1")
        with db.engine.connect() as connection:
            after_downgrade = count_every_table(connection)
        upgrade(revision=revision)
        with db.engine.connect() as connection:
            after_upgrade = count_every_table(connection)
    # The tables the revision creates go with its downgrade; every other table keeps its rows.
    counts = {table: len(before[table]) for table in after_downgrade}
    assert after_downgrade == counts
    assert {table: after_upgrade[table] for table in counts} == counts


def test_sqlite_upgrade_stops_at_rows_pointing_nowhere(tmp_path, capsys):
    path = tmp_path / "orphans.sqlite"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        populated_at(REVISIONS[0])
        # As a database edited with foreign keys off could be: its members' account is gone.
        with closing(sqlite3.connect(path)) as raw, raw:
            raw.execute("DELETE FROM users WHERE id = 1")
        with db.engine.connect() as connection:
            before = read_every_table(connection)
        with pytest.raises(SystemExit):
            upgrade()
        with db.engine.connect() as connection:
            assert read_every_table(connection) == before  # nothing half-done
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert version.scalar() == REVISIONS[0]
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
    message = capsys.readouterr().err
    assert f"The upgrade to {REVISIONS[1]} left 3 row(s) whose foreign key" in message
    assert "memberships row 1 -> users" in message
