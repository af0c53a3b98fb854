"""content versions for the shared cache

Revision ID: 4e59b9b3cb0c
Revises: 87275b0ac840
Create Date: 2026-12-04 23:21:44.467262

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e59b9b3cb0c'
down_revision = '87275b0ac840'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_content_versions'))
    )


def downgrade():
    op.drop_table('content_versions')
