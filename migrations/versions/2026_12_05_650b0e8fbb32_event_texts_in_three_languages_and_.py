"""event texts in three languages and agenda biographies

An event's and a segment's own columns keep their texts, now in the event's language
(`language`, 'en' for every existing event and segment: what they were written in so far); the
other languages go in the new translation tables. Agenda people get an optional biography.
The audit log's index by subject (issue 15's audit log page) rides along.

Revision ID: 650b0e8fbb32
Revises: 4e59b9b3cb0c
Create Date: 2026-12-05 03:21:38.711508

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '650b0e8fbb32'
down_revision = '4e59b9b3cb0c'
branch_labels = None
depends_on = None

LANGUAGE_CHECK = "language IN ('en', 'fr', 'es')"


def upgrade():
    op.create_table('event_translations',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('objectives', sa.Text(), nullable=False),
    sa.Column('expected_results', sa.Text(), nullable=False),
    sa.CheckConstraint("language IN ('en', 'fr', 'es')", name=op.f('ck_event_translations_language')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_translations_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'language', name=op.f('pk_event_translations'))
    )
    op.create_table('event_segment_translations',
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('guiding_question', sa.Text(), nullable=False),
    sa.CheckConstraint("language IN ('en', 'fr', 'es')", name=op.f('ck_event_segment_translations_language')),
    sa.ForeignKeyConstraint(['segment_id'], ['event_segments.id'], name=op.f('fk_event_segment_translations_segment_id_event_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('segment_id', 'language', name=op.f('pk_event_segment_translations'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id'], unique=False)

    with op.batch_alter_table('event_segment_people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('biography', sa.String(length=600), server_default='', nullable=False))

    with op.batch_alter_table('event_segments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='en', nullable=False))
        batch_op.create_check_constraint(op.f('ck_event_segments_language'), LANGUAGE_CHECK)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='en', nullable=False))
        batch_op.create_check_constraint(op.f('ck_events_language'), LANGUAGE_CHECK)



def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_language'), type_='check')
        batch_op.drop_column('language')

    with op.batch_alter_table('event_segments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_segments_language'), type_='check')
        batch_op.drop_column('language')

    with op.batch_alter_table('event_segment_people', schema=None) as batch_op:
        batch_op.drop_column('biography')

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_subject')

    op.drop_table('event_segment_translations')
    op.drop_table('event_translations')
