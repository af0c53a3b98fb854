"""Arabic as a fourth language

The CHECK constraints that list the platform's languages (an event's and a segment's own
language, their translations', an MGI request's preferred language) now accept 'ar'. No row
changes on the way up.

Down again, Arabic translations are removed and Arabic MGI preferences become English; events or
segments written in Arabic stop the downgrade (their text has no other language to fall back on):
translate or remove them first.

Revision ID: 5d1c0a7e2b94
Revises: 9b013637534f
Create Date: 2026-12-05 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0a7e2b94'
down_revision = '9b013637534f'
branch_labels = None
depends_on = None

BEFORE = ("en", "fr", "es")
AFTER = ("en", "fr", "es", "ar")
# table -> its language CHECK's name (SQLite rebuilds each table: env.py turns foreign keys off
# meanwhile, so rows that cascade from these tables stay).
TABLES = {
    "events": "ck_events_language",
    "event_translations": "ck_event_translations_language",
    "event_segments": "ck_event_segments_language",
    "event_segment_translations": "ck_event_segment_translations_language",
    "mgi_requests": "ck_mgi_requests_language",
}


def _check(languages):
    return "language IN ({})".format(", ".join(f"'{code}'" for code in languages))


def _replace_checks(languages):
    for table, name in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_="check")
            batch_op.create_check_constraint(op.f(name), _check(languages))


def upgrade():
    _replace_checks(AFTER)


def downgrade():
    connection = op.get_bind()
    written_in_arabic = sum(
        connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE language = 'ar'")).scalar()
        for table in ("events", "event_segments")
    )
    if written_in_arabic:
        raise RuntimeError(
            f"{written_in_arabic} events or agenda segments are written in Arabic: translate "
            "them into another language (and make it their own) or remove them before this "
            "downgrade"
        )
    for table in ("event_translations", "event_segment_translations"):
        op.execute(f"DELETE FROM {table} WHERE language = 'ar'")
    op.execute("UPDATE mgi_requests SET language = 'en' WHERE language = 'ar'")
    _replace_checks(BEFORE)
