"""marketplace: listings (demand and offerings in one table) and verified organisation certifications

Revision ID: e3b12f091051
Revises: d8e3b5c1a9f2
Create Date: 2026-12-01 03:30:12.600237

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b12f091051'
down_revision = 'd8e3b5c1a9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_certifications_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_organisation_certifications_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_certifications'))
    )
    with op.batch_alter_table('organisation_certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_certifications_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('region', sa.String(length=60), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('volume', sa.String(length=80), nullable=False),
    sa.Column('fte', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('wanted_by', sa.Date(), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('expiry_notice_sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_listings_contract_id_contracts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_listings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_listings_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings'))
    )
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listings_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index('ix_listings_kind_status', ['kind', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_sector'), ['sector'], unique=False)



def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listings_sector'))
        batch_op.drop_index(batch_op.f('ix_listings_region'))
        batch_op.drop_index(batch_op.f('ix_listings_organisation_id'))
        batch_op.drop_index('ix_listings_kind_status')
        batch_op.drop_index(batch_op.f('ix_listings_contract_id'))

    op.drop_table('listings')
    with op.batch_alter_table('organisation_certifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_certifications_organisation_id'))

    op.drop_table('organisation_certifications')
