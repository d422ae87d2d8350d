"""count a candidate's period and an invoice once: stored comparison keys, the contractor on each
realisation, and the database rules that hold them

Revision ID: d8e3b5c1a9f2
Revises: d7a1f0c3b9e2
Create Date: 2026-12-01 00:50:00

Existing rows get their keys from domain.identifiers.identifier_key, the code the app compares
with. Rows that already break a rule (the double counting this migration stops) cannot all keep
their key, or the constraint could not be created: the oldest counted row keeps it, a later
clashing one is left without (so it is not compared) and its id is logged for an officer to
review. Nothing is rejected or deleted by the migration.
"""

import logging

import sqlalchemy as sa
from alembic import op

from marketplace.domain.identifiers import identifier_key

# revision identifiers, used by Alembic.
revision = "d8e3b5c1a9f2"
down_revision = "d7a1f0c3b9e2"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

COUNTED = "state IN ('submitted', 'approved')"


def upgrade():
    with op.batch_alter_table("realisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contractor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("candidate_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("invoice_key", sa.String(length=60), nullable=True))
    op.execute(
        "UPDATE realisations SET contractor_id = "
        "(SELECT contracts.contractor_id FROM contracts WHERE contracts.id = realisations.contract_id)"
    )
    _backfill_keys(op.get_bind())
    with op.batch_alter_table("realisations", schema=None) as batch_op:
        batch_op.alter_column("contractor_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_realisations_contractor_id_organisations", "organisations", ["contractor_id"], ["id"]
        )
        batch_op.create_index(
            "ix_realisations_contractor_candidate", ["contractor_id", "candidate_key"], unique=False
        )
    # Outside the batch: a partial index must keep its WHERE, which a table copy may not.
    op.create_index(
        "uq_realisations_invoice_key",
        "realisations",
        ["supplier_kvk", "invoice_key"],
        unique=True,
        postgresql_where=sa.text(f"invoice_key IS NOT NULL AND {COUNTED}"),
        sqlite_where=sa.text(f"invoice_key IS NOT NULL AND {COUNTED}"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE realisations ADD CONSTRAINT ex_realisations_candidate_period "
            "EXCLUDE USING gist (contractor_id WITH =, candidate_key WITH =, "
            "daterange(start_date, end_date, '[]') WITH &&) "
            f"WHERE (candidate_key IS NOT NULL AND {COUNTED})"
        )


def _backfill_keys(bind) -> None:
    """Keys for every row, oldest first; a counted row clashing with an older counted one keeps
    no key (see the module docstring)."""
    rows = bind.execute(
        sa.text(
            "SELECT id, contractor_id, state, candidate_ref, start_date, end_date, "
            "supplier_kvk, invoice_number FROM realisations ORDER BY id"
        )
    ).all()
    periods: dict[tuple, list[tuple]] = {}
    invoices: set[tuple] = set()
    updates, clashing = [], []
    for row in rows:
        counted = row.state in ("submitted", "approved")
        candidate = identifier_key(row.candidate_ref) if row.candidate_ref else None
        invoice = identifier_key(row.invoice_number) if row.invoice_number else None
        if counted and candidate and row.start_date and row.end_date:
            taken = periods.setdefault((row.contractor_id, candidate), [])
            if any(s <= row.end_date and row.start_date <= e for s, e in taken):
                candidate = None
                clashing.append(row.id)
            else:
                taken.append((row.start_date, row.end_date))
        if counted and invoice:
            if (row.supplier_kvk, invoice) in invoices:
                invoice = None
                clashing.append(row.id)
            else:
                invoices.add((row.supplier_kvk, invoice))
        if candidate or invoice:
            updates.append({"id": row.id, "candidate": candidate, "invoice": invoice})
    if updates:
        bind.execute(
            sa.text(
                "UPDATE realisations SET candidate_key = :candidate, invoice_key = :invoice "
                "WHERE id = :id"
            ),
            updates,
        )
    if clashing:
        log.warning(
            "realisations counted twice before this migration, left without a key for review: %s",
            ", ".join(str(i) for i in sorted(set(clashing))),
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE realisations DROP CONSTRAINT ex_realisations_candidate_period")
    op.drop_index("uq_realisations_invoice_key", table_name="realisations")
    with op.batch_alter_table("realisations", schema=None) as batch_op:
        batch_op.drop_index("ix_realisations_contractor_candidate")
        batch_op.drop_constraint("fk_realisations_contractor_id_organisations", type_="foreignkey")
        batch_op.drop_column("invoice_key")
        batch_op.drop_column("candidate_key")
        batch_op.drop_column("contractor_id")
