"""store a contract's obligation explanation as steps (code and parameters), not Dutch text

Revision ID: e4b9c2d7a1f6
Revises: a4c7e2d9b1f6
Create Date: 2026-12-01 04:00:00

The steps of existing contracts are recomputed with domain.obligation.obligation_for from the
contract's stored terms and its policy version, the code that computed the text they replace;
a contract the rules refuse (none should exist) keeps no steps. Downgrade writes the Dutch text
back from the steps, worded by marketplace.labels as the pages word them.
"""

import logging

import sqlalchemy as sa
from alembic import op

from marketplace.domain.obligation import ContractTerms, ObligationInputError, Policy, obligation_for

# revision identifiers, used by Alembic.
revision = "e4b9c2d7a1f6"
down_revision = "a4c7e2d9b1f6"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

contracts = sa.table(
    "contracts",
    sa.column("id", sa.Integer),
    sa.column("policy_id", sa.Integer),
    sa.column("value_cents", sa.BigInteger),
    sa.column("labour_share_bp", sa.Integer),
    sa.column("award_date", sa.Date),
    sa.column("start_date", sa.Date),
    sa.column("end_date", sa.Date),
    sa.column("pso_level", sa.String),
    sa.column("pso_valid_until", sa.Date),
    sa.column("obligation_steps", sa.JSON),
    sa.column("obligation_explanation", sa.Text),
)
policies = sa.table(
    "sroi_policies",
    sa.column("id", sa.Integer),
    sa.column("threshold_cents", sa.BigInteger),
    sa.column("min_duration_months", sa.Integer),
    sa.column("percentage_bp", sa.Integer),
    sa.column("low_labour_share_bp", sa.Integer),
    sa.column("low_labour_percentage_bp", sa.Integer),
    sa.column("cap_cents", sa.BigInteger),
    sa.column("pso_remaining_bp", sa.JSON),
)


def upgrade():
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("obligation_steps", sa.JSON(), nullable=True))
    bind = op.get_bind()
    terms = [c for c in contracts.c if not c.name.startswith("obligation_")]
    rules = [c for c in policies.c if c.name != "id"]
    rows = bind.execute(
        sa.select(*terms, *rules).join(policies, policies.c.id == contracts.c.policy_id)
    ).mappings()
    for row in list(rows):
        bind.execute(
            contracts.update()
            .where(contracts.c.id == row["id"])
            .values(obligation_steps=_steps_of(row))
        )
    bind.execute(
        contracts.update().where(contracts.c.obligation_steps.is_(None)).values(obligation_steps=[])
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.alter_column("obligation_steps", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("obligation_explanation")


def _steps_of(row) -> list:
    policy = Policy(
        threshold_cents=row["threshold_cents"],
        min_duration_months=row["min_duration_months"],
        percentage_bp=row["percentage_bp"],
        low_labour_share_bp=row["low_labour_share_bp"],
        low_labour_percentage_bp=row["low_labour_percentage_bp"],
        cap_cents=row["cap_cents"],
        pso_remaining_bp=dict(row["pso_remaining_bp"] or {}),
    )
    terms = ContractTerms(
        value_cents=row["value_cents"],
        award_date=row["award_date"],
        start=row["start_date"],
        end=row["end_date"],
        labour_share_bp=row["labour_share_bp"],
        pso_level=row["pso_level"],
        pso_valid_until=row["pso_valid_until"],
    )
    try:
        result = obligation_for(terms, policy)
    except ObligationInputError as exc:
        log.warning("contract %s keeps no obligation steps: %s", row["id"], exc)
        return []
    return [[code, params] for code, params in result.steps]


def downgrade():
    from flask_babel import force_locale

    from marketplace.labels import obligation_explanation

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("obligation_explanation", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(contracts.c.id, contracts.c.obligation_steps)).all()
    with force_locale("nl"):
        for contract_id, steps in rows:
            bind.execute(
                contracts.update()
                .where(contracts.c.id == contract_id)
                .values(obligation_explanation=obligation_explanation(steps))
            )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.alter_column("obligation_explanation", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("obligation_steps")
