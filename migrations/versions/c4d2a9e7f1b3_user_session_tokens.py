"""user session tokens: logout and password reset end every session of the user

Revision ID: c4d2a9e7f1b3
Revises: b3c5e1a2d7f4
Create Date: 2026-12-01 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d2a9e7f1b3'
down_revision = 'b3c5e1a2d7f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
    # A random token per existing user; sessions made before (id only) end once.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE users SET session_token = md5(random()::text || id::text)")
    else:
        op.execute("UPDATE users SET session_token = lower(hex(randomblob(16)))")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
