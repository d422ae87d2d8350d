"""marketplace: proposals on demand with their threads, the deals they become, and reviews

Revision ID: ad9cd895d6a0
Revises: 7c0c4a6bd614
Create Date: 2026-12-01 03:47:24.193182

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ad9cd895d6a0'
down_revision = '7c0c4a6bd614'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('offering_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('volume', sa.String(length=80), nullable=False),
    sa.Column('attachment_name', sa.String(length=200), nullable=True),
    sa.Column('attachment_stored_name', sa.String(length=80), nullable=True),
    sa.Column('attachment_content_type', sa.String(length=60), nullable=True),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_proposals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_proposals_listing_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offering_id'], ['listings.id'], name=op.f('fk_proposals_offering_id_listings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_proposals_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals')),
    sa.UniqueConstraint('attachment_stored_name', name=op.f('uq_proposals_attachment_stored_name'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('uq_proposals_active_per_supplier', ['listing_id', 'organisation_id'], unique=True, postgresql_where=sa.text("status IN ('open', 'revision_requested')"), sqlite_where=sa.text("status IN ('open', 'revision_requested')"))

    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('agreed_amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('invoice_number', sa.String(length=60), nullable=True),
    sa.Column('invoice_date', sa.Date(), nullable=True),
    sa.Column('invoice_amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('invoice_file_name', sa.String(length=200), nullable=True),
    sa.Column('invoice_file_stored_name', sa.String(length=80), nullable=True),
    sa.Column('invoice_file_content_type', sa.String(length=60), nullable=True),
    sa.Column('invoice_file_sha256', sa.String(length=64), nullable=True),
    sa.Column('realisation_id', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisations.id'], name=op.f('fk_deals_buyer_id_organisations')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_deals_contract_id_contracts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_deals_listing_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_deals_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['realisation_id'], ['realisations.id'], name=op.f('fk_deals_realisation_id_realisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supplier_id'], ['organisations.id'], name=op.f('fk_deals_supplier_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals')),
    sa.UniqueConstraint('invoice_file_stored_name', name=op.f('uq_deals_invoice_file_stored_name')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_deals_proposal_id'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deals_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('proposal_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_proposal_messages_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_messages_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_messages'))
    )
    with op.batch_alter_table('proposal_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_messages_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['organisations.id'], name=op.f('fk_reviews_author_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_reviews_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_reviews_written_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('deal_id', 'author_id', name=op.f('uq_reviews_deal_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_deal_id'), ['deal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_deal_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('proposal_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_messages_proposal_id'))

    op.drop_table('proposal_messages')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_deals_buyer_id'))

    op.drop_table('deals')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('uq_proposals_active_per_supplier', postgresql_where=sa.text("status IN ('open', 'revision_requested')"), sqlite_where=sa.text("status IN ('open', 'revision_requested')"))
        batch_op.drop_index(batch_op.f('ix_proposals_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_listing_id'))

    op.drop_table('proposals')
