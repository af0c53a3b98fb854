"""The upgrade that added Arabic: every CHECK that lists languages accepts 'ar', existing rows
stay; back down, Arabic translations go, and events written in Arabic stop the downgrade."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from cta_learning.extensions import db
from tests.test_migrations import new_app, populated_at  # noqa: F401 - new_app is a fixture

REVISION = "5d1c0a7e2b94"
BEFORE = "9b013637534f"
ARABIC_TRANSLATION = (
    "INSERT INTO event_translations (event_id, language, title, summary, description, "
    "objectives, expected_results) VALUES (2, 'ar', 'مدن مرحِّبة', '', '', '', '')"
)


def rows(sql: str) -> list:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def run(*statements: str) -> None:
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_arabic_is_accepted_after_the_upgrade_and_refused_before(new_app):  # noqa: F811
    with new_app().app_context():
        populated_at(BEFORE)
        with pytest.raises(IntegrityError):
            run(ARABIC_TRANSLATION)
        events = rows("SELECT id, language, title FROM events ORDER BY id")
        translations = rows("SELECT event_id, language FROM event_translations")
        upgrade(revision=REVISION)
        assert rows("SELECT id, language, title FROM events ORDER BY id") == events
        assert rows("SELECT event_id, language FROM event_translations") == translations
        run(
            ARABIC_TRANSLATION,
            "UPDATE events SET language = 'ar' WHERE id = 1",
            "UPDATE event_segments SET language = 'ar' WHERE id = 1",
            "UPDATE mgi_requests SET language = 'ar' WHERE id = 1",
        )
        with pytest.raises(IntegrityError):
            run("UPDATE events SET language = 'de' WHERE id = 1")
        db.engine.dispose()


def test_the_downgrade_stops_at_events_written_in_arabic_then_drops_translations(
    new_app,  # noqa: F811
    capsys,
):
    with new_app().app_context():
        populated_at(REVISION)
        run(
            ARABIC_TRANSLATION,
            "UPDATE events SET language = 'ar' WHERE id = 1",
            "UPDATE mgi_requests SET language = 'ar' WHERE id = 1",
        )
        with pytest.raises(SystemExit):
            downgrade(revision=BEFORE)
        assert "written in Arabic" in capsys.readouterr().err
        assert rows("SELECT version_num FROM alembic_version") == [(REVISION,)]
        assert rows("SELECT language FROM events WHERE id = 1") == [("ar",)]

        run("UPDATE events SET language = 'fr' WHERE id = 1")
        translations = rows("SELECT count(*) FROM event_translations WHERE language != 'ar'")
        downgrade(revision=BEFORE)
        assert rows("SELECT count(*) FROM event_translations WHERE language = 'ar'") == [(0,)]
        assert rows("SELECT count(*) FROM event_translations") == translations
        assert rows("SELECT language FROM mgi_requests WHERE id = 1") == [("en",)]
        assert rows("SELECT language FROM events WHERE id = 1") == [("fr",)]
        db.engine.dispose()
