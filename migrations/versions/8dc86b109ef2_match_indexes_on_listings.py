"""matching: indexes on listings for the bounded candidate ranges of services/matches.py

Revision ID: 8dc86b109ef2
Revises: e3b12f091051
Create Date: 2026-12-01 03:35:06.397280

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8dc86b109ef2'
down_revision = 'e3b12f091051'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index('ix_listings_match_region', ['kind', 'status', 'region', 'published_at'], unique=False)
        batch_op.create_index('ix_listings_match_sector', ['kind', 'status', 'sector', 'published_at'], unique=False)
        batch_op.create_index('ix_listings_match_sector_region', ['kind', 'status', 'sector', 'region', 'published_at'], unique=False)


def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index('ix_listings_match_sector_region')
        batch_op.drop_index('ix_listings_match_sector')
        batch_op.drop_index('ix_listings_match_region')
