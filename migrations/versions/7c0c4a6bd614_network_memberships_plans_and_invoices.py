"""network memberships: plans, memberships, Stripe customers, invoices and their gap-free counters

Revision ID: 7c0c4a6bd614
Revises: e4b9c2d7a1f6
Create Date: 2026-12-01 04:30:49

New tables only (docs/domain.md "Memberships"); downgrade drops them.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7c0c4a6bd614"
down_revision = "e4b9c2d7a1f6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoice_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["organisations.id"],
            name=op.f("fk_invoice_counters_network_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_counters")),
        sa.UniqueConstraint("network_id", "year", name=op.f("uq_invoice_counters_network_id")),
    )
    op.create_table(
        "network_billing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["organisations.id"],
            name=op.f("fk_network_billing_network_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_billing")),
        sa.UniqueConstraint("network_id", name=op.f("uq_network_billing_network_id")),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("yearly_fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("size_band", sa.String(length=20), nullable=False),
        sa.Column("benefits", sa.Text(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=True),
        sa.Column("vat_exemption_reason", sa.String(length=255), nullable=True),
        sa.Column("billing_rule", sa.String(length=30), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["organisations.id"],
            name=op.f("fk_plans_network_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("network_id", "name", name=op.f("uq_plans_network_id")),
    )
    op.create_table(
        "stripe_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_stripe_customers_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_customers")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_stripe_customers_organisation_id")),
        sa.UniqueConstraint(
            "stripe_customer_id", name=op.f("uq_stripe_customers_stripe_customer_id")
        ),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("joined_on", sa.Date(), nullable=True),
        sa.Column("current_period_start", sa.Date(), nullable=True),
        sa.Column("current_period_end", sa.Date(), nullable=True),
        sa.Column("comped_until", sa.Date(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["applied_by_id"],
            ["users.id"],
            name=op.f("fk_memberships_applied_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_memberships_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_network_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_memberships_plan_id_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "stripe_subscription_id", name=op.f("uq_memberships_stripe_subscription_id")
        ),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_memberships_network_status", ["network_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "uq_memberships_open_per_network",
            ["network_id", "organisation_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'active', 'past_due', 'suspended')"),
            sqlite_where=sa.text("status IN ('pending', 'active', 'past_due', 'suspended')"),
        )

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("seller_address", sa.String(length=400), nullable=False),
        sa.Column("seller_kvk", sa.String(length=8), nullable=False),
        sa.Column("seller_btw", sa.String(length=14), nullable=False),
        sa.Column("seller_iban", sa.String(length=34), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_address", sa.String(length=400), nullable=False),
        sa.Column("buyer_kvk", sa.String(length=8), nullable=False),
        sa.Column("buyer_btw", sa.String(length=14), nullable=True),
        sa.Column("description", sa.String(length=400), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("amount_excl_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=True),
        sa.Column("vat_exemption_reason", sa.String(length=255), nullable=True),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("payment_reference", sa.String(length=25), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("paid_at", sa.Date(), nullable=True),
        sa.Column("paid_amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("credit_of_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_of_id"],
            ["invoices.id"],
            name=op.f("fk_invoices_credit_of_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_invoices_membership_id_memberships"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["organisations.id"],
            name=op.f("fk_invoices_network_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("credit_of_id", name=op.f("uq_invoices_credit_of_id")),
        sa.UniqueConstraint("network_id", "year", "sequence", name=op.f("uq_invoices_network_id")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoices_membership_id"), ["membership_id"], unique=False
        )
        batch_op.create_index("ix_invoices_network_status", ["network_id", "status"], unique=False)


def downgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_network_status")
        batch_op.drop_index(batch_op.f("ix_invoices_membership_id"))

    op.drop_table("invoices")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_memberships_open_per_network",
            postgresql_where=sa.text("status IN ('pending', 'active', 'past_due', 'suspended')"),
            sqlite_where=sa.text("status IN ('pending', 'active', 'past_due', 'suspended')"),
        )
        batch_op.drop_index(batch_op.f("ix_memberships_organisation_id"))
        batch_op.drop_index("ix_memberships_network_status")

    op.drop_table("memberships")
    op.drop_table("stripe_customers")
    op.drop_table("plans")
    op.drop_table("network_billing")
    op.drop_table("invoice_counters")
