"""pending evidence uploads

A chosen evidence file is kept between two posts of the realisation form (the value preview, a
refused field): stored like evidence under a random name, tied to the user who chose it, named
in the form by a random token, claimed by the realisation that is saved with it, and removed
after a day by the hourly clean-up when it was not.

Revision ID: b6d2f8a4c0e7
Revises: a4c8e2f6b1d3
Create Date: 2026-12-01 07:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6d2f8a4c0e7'
down_revision = 'a4c8e2f6b1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=60), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_uploads_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_uploads')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_pending_uploads_stored_name')),
        sa.UniqueConstraint('token', name=op.f('uq_pending_uploads_token')),
    )
    with op.batch_alter_table('pending_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_uploads_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_uploads_user_id'))
        batch_op.drop_index(batch_op.f('ix_pending_uploads_created_at'))
    op.drop_table('pending_uploads')
