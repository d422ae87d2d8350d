"""outbox rows remember the request that enqueued them

`outbox_jobs.request_id`: the id of the request (or job) that wrote the row, so the job's log
line and the e-mails it sends carry it (marketplace/observability.py).

Revision ID: 56c24c7a827c
Revises: a6d2f8c4e1b7
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '56c24c7a827c'
down_revision = 'a6d2f8c4e1b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.drop_column('request_id')
