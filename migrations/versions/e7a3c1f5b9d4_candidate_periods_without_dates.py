"""a realisation without dates takes no part in the candidate-period rule

On PostgreSQL the exclusion constraint compared `daterange(start_date, end_date)`, and a row
without dates (an hour block's social activity) made an unbounded range that overlapped every
period of the same candidate at the contractor. The service's own check (and so SQLite) already
skipped such rows; now the constraint does too.

Revision ID: e7a3c1f5b9d4
Revises: 1b3f0c53efd3
Create Date: 2026-12-02 16:00:00

"""

from alembic import op


revision = "e7a3c1f5b9d4"
down_revision = "1b3f0c53efd3"
branch_labels = None
depends_on = None

COUNTED = "state IN ('submitted', 'approved')"
NAME = "ex_realisations_candidate_period"


def _constraint(rows: str) -> str:
    return (
        f"ALTER TABLE realisations ADD CONSTRAINT {NAME} "
        "EXCLUDE USING gist (contractor_id WITH =, candidate_key WITH =, "
        "daterange(start_date, end_date, '[]') WITH &&) "
        f"WHERE ({rows} AND {COUNTED})"
    )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE realisations DROP CONSTRAINT IF EXISTS {NAME}")
        op.execute(
            _constraint(
                "candidate_key IS NOT NULL AND start_date IS NOT NULL AND end_date IS NOT NULL"
            )
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE realisations DROP CONSTRAINT IF EXISTS {NAME}")
        op.execute(_constraint("candidate_key IS NOT NULL"))
