"""contracts waiting for an invited contractor; organisation rejection and registrant

A contract may be registered for a company not on the platform yet: `contractor_id` becomes
nullable and the contract keeps the KvK number and/or e-mail address it was invited by (a check
requires one of the three); `contractor_linked_at` records when the company was linked. An
organisation records who registered it and the admin's rejection with its reason.

Revision ID: c4e8a2f6b9d1
Revises: e7a3c1f5b9d4
Create Date: 2026-12-02 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a2f6b9d1'
down_revision = 'e7a3c1f5b9d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_kvk', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('invited_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('contractor_linked_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('contractor_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index('ix_contracts_invited_kvk', ['invited_kvk'], unique=False)
        batch_op.create_check_constraint(
            'contractor_or_invited',
            'contractor_id IS NOT NULL OR invited_kvk IS NOT NULL OR invited_email IS NOT NULL',
        )

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('registered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organisations_registered_by_id_users'), 'users', ['registered_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisations_registered_by_id_users'), type_='foreignkey')
        batch_op.drop_column('registered_by_id')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('rejected_at')

    # Contracts still waiting have no contractor to keep: they cannot survive the downgrade.
    op.execute('DELETE FROM contracts WHERE contractor_id IS NULL')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint('contractor_or_invited', type_='check')
        batch_op.drop_index('ix_contracts_invited_kvk')
        batch_op.alter_column('contractor_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('contractor_linked_at')
        batch_op.drop_column('invited_email')
        batch_op.drop_column('invited_kvk')
