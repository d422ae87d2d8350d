"""a realisation's question and answer

The officer can ask for more information instead of rejecting ("vraag om aanvulling"): the
realisation moves to `questioned` with the question, and the contractor sends it again with an
answer. Plain added and dropped columns, no table rebuild on SQLite.

Revision ID: a4c8e2f6b1d3
Revises: dbd5587241e0
Create Date: 2026-12-01 06:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c8e2f6b1d3'
down_revision = 'dbd5587241e0'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('realisations', sa.Column('question', sa.Text(), nullable=True))
    op.add_column('realisations', sa.Column('answer', sa.Text(), nullable=True))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of the table could lose
    # the WHERE of its partial unique index.
    op.drop_column('realisations', 'answer')
    op.drop_column('realisations', 'question')
