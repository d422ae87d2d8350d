"""reject organisation certifications

An organisation records its own certification (Code Sociale Ondernemingen, Social Enterprise NL,
werkbedrijf); the platform admin verifies it or rejects it with a reason, as for PSO certificates.

Revision ID: c7f1a3e5b9d2
Revises: 70564676ee12
Create Date: 2026-12-01 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7f1a3e5b9d2'
down_revision = '70564676ee12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation_certifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('rejected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organisation_certifications_rejected_by_id_users'), 'users', ['rejected_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('organisation_certifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisation_certifications_rejected_by_id_users'), type_='foreignkey')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('rejected_by_id')
        batch_op.drop_column('rejected_at')
