"""retention terms per authority and the days a contract's records were deleted

An authority may keep candidate data and financial records for its own number of years
(`organisations.retention_candidate_years` / `retention_financial_years`, empty = defaults); the
retention job writes the day it deleted a contract's candidate data and financial records.

Revision ID: c9e4a7b2d5f8
Revises: 56c24c7a827c
Create Date: 2026-12-02 15:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "c9e4a7b2d5f8"
down_revision = "56c24c7a827c"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_candidate_years", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retention_financial_years", sa.Integer(), nullable=True))
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidate_data_deleted_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("financial_records_deleted_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_column("financial_records_deleted_on")
        batch_op.drop_column("candidate_data_deleted_on")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("retention_financial_years")
        batch_op.drop_column("retention_candidate_years")
