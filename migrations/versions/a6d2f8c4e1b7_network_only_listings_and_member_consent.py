"""network-only listings and the member's consent to be listed

A listing may be seen only by the members of one network (`listings.network_id`, kept in step
with `visibility` by a check); the search index copies it (`search_documents.network_id`); a
member says whether the network's public page may name it (`memberships.listed_publicly`).

Revision ID: a6d2f8c4e1b7
Revises: b6d2f8a4c0e7
Create Date: 2026-12-01 06:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6d2f8c4e1b7'
down_revision = 'b6d2f8a4c0e7'
branch_labels = None
depends_on = None

_CHECK = (
    "(visibility = 'network' AND network_id IS NOT NULL)"
    " OR (visibility = 'public' AND network_id IS NULL)"
)


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_listings_network_id'), ['network_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_listings_network_id_organisations'), 'organisations', ['network_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint('network_visibility', _CHECK)
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_publicly', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Not in a batch: on SQLite a batch copies search_documents and drops its FTS5 triggers;
    # a plain ADD COLUMN keeps them.
    op.add_column('search_documents', sa.Column('network_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        # A new column has no statistics until the next ANALYZE: the planner would take
        # `network_id IS NULL` (every row) for rare, and the search's count estimates with it.
        op.execute('ANALYZE search_documents (network_id)')


def downgrade():
    op.drop_column('search_documents', 'network_id')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('listed_publicly')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_constraint('network_visibility', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_listings_network_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_listings_network_id'))
        batch_op.drop_column('network_id')
