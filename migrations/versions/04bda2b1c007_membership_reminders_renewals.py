"""membership reminders and renewals

The dunning steps taken per invoice (once each: a partial unique index, manual reminders apart),
one invoice in force per membership period, and the member's choices for its next period (a
plan change, cancelling at the period end).

Revision ID: 04bda2b1c007
Revises: c7f1a3e5b9d2
Create Date: 2026-12-01 06:31:19.456607

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '04bda2b1c007'
down_revision = 'c7f1a3e5b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('membership_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=30), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_membership_reminders_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_membership_reminders_invoice_id_invoices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_membership_reminders_membership_id_memberships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_reminders'))
    )
    with op.batch_alter_table('membership_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_reminders_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index('uq_membership_reminders_invoice_step', ['invoice_id', 'step'], unique=True, postgresql_where=sa.text("step <> 'manual'"), sqlite_where=sa.text("step <> 'manual'"))

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('uq_invoices_membership_period', ['membership_id', 'period_start'], unique=True, postgresql_where=sa.text("credit_of_id IS NULL AND status IN ('open', 'paid')"), sqlite_where=sa.text("credit_of_id IS NULL AND status IN ('open', 'paid')"))

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_plan_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_at_period_end', sa.Boolean(), server_default=sa.text('(false)'), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_memberships_next_plan_id_plans'), 'plans', ['next_plan_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_memberships_next_plan_id_plans'), type_='foreignkey')
        batch_op.drop_column('cancel_at_period_end')
        batch_op.drop_column('next_plan_id')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('uq_invoices_membership_period', postgresql_where=sa.text("credit_of_id IS NULL AND status IN ('open', 'paid')"), sqlite_where=sa.text("credit_of_id IS NULL AND status IN ('open', 'paid')"))

    with op.batch_alter_table('membership_reminders', schema=None) as batch_op:
        batch_op.drop_index('uq_membership_reminders_invoice_step', postgresql_where=sa.text("step <> 'manual'"), sqlite_where=sa.text("step <> 'manual'"))
        batch_op.drop_index(batch_op.f('ix_membership_reminders_membership_id'))

    op.drop_table('membership_reminders')
