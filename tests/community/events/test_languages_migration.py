"""The upgrade that brought events in three languages keeps every existing event readable:
its texts become the English originals, shown to French readers with the note."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from cta_learning.community.events.models import Event
from cta_learning.extensions import db
from tests.test_migrations import new_app, populated_at  # noqa: F401 - new_app is a fixture

REVISION = "650b0e8fbb32"
BEFORE = "4e59b9b3cb0c"


def test_existing_events_become_english_originals_and_come_back_on_downgrade(new_app):  # noqa: F811
    with new_app().app_context():
        before = populated_at(BEFORE)
        upgrade(revision=REVISION)
        with db.engine.connect() as connection:
            events = connection.execute(text("SELECT id, language, title FROM events")).all()
            segments = connection.execute(text("SELECT language FROM event_segments")).all()
            biographies = connection.execute(
                text("SELECT biography FROM event_segment_people")
            ).all()
            translations = connection.execute(text("SELECT count(*) FROM event_translations"))
            assert translations.scalar() == 0
        assert {row.language for row in events} == {"en"}
        assert {(row.id,): row.title for row in events} == {
            key: row["title"] for key, row in before["events"].items()
        }
        assert {row.language for row in segments} == {"en"}
        assert {row.biography for row in biographies} == {""}

        upgrade()  # the models are head's
        event = db.session.get(Event, 1)
        french = event.text("fr")
        assert french.title == before["events"][(1,)]["title"] and french.is_fallback
        db.session.rollback()

        # A French event with an English translation, then back to before this revision.
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE events SET language = 'fr' WHERE id = 1"))
            connection.execute(
                text(
                    "INSERT INTO event_translations (event_id, language, title, summary, "
                    "description, objectives, expected_results) "
                    "VALUES (1, 'en', 'Welcoming cities', '', '', '', '')"
                )
            )
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            kept = connection.execute(text("SELECT id, title FROM events")).all()
        assert {(row.id,): row.title for row in kept} == {
            key: row["title"] for key, row in before["events"].items()
        }
        db.engine.dispose()
