"""trust: two-step sign-in, login throttles, outbox claims

Revision ID: 87275b0ac840
Revises: 813df77e4b1c
Create Date: 2026-12-04 21:48:18.751384

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '87275b0ac840'
down_revision = '813df77e4b1c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('blocked_until', sa.DateTime(), nullable=True),
    sa.Column('alerted_at', sa.DateTime(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('address_hash', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_attempt_at'), ['last_attempt_at'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('first_failed_at', sa.DateTime(), nullable=True))
    # Messages already waiting for a retry start their 48-hour retry window at their creation.
    op.execute(
        "UPDATE outbox_messages SET first_failed_at = created_at "
        "WHERE status = 'queued' AND last_error IS NOT NULL"
    )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('totp_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('totp_failed_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_failed_at')
        batch_op.drop_column('totp_failures')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('first_failed_at')
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_attempt_at'))

    op.drop_table('login_throttles')
