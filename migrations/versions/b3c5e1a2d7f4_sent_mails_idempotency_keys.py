"""sent mails: idempotency keys claimed before an e-mail is sent

Revision ID: b3c5e1a2d7f4
Revises: 7e9bde8d355a
Create Date: 2026-12-01 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c5e1a2d7f4'
down_revision = '7e9bde8d355a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sent_mails',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sent_mails'))
    )


def downgrade():
    op.drop_table('sent_mails')
