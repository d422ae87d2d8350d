"""report files: PDF and Excel reports made by a job, kept a day for the requester's organisation

Revision ID: d7a1f0c3b9e2
Revises: 5de6da7caa6a
Create Date: 2026-12-01 00:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a1f0c3b9e2'
down_revision = '5de6da7caa6a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_report_files_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['requested_by_id'], ['users.id'],
            name=op.f('fk_report_files_requested_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_files')),
    )
    with op.batch_alter_table('report_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_files_created_at'), ['created_at'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_report_files_organisation_id'), ['organisation_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('report_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_files_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_report_files_created_at'))
    op.drop_table('report_files')
