"""search index (documents, facets; tsvector + GIN on PostgreSQL, FTS5 on SQLite) and the
directory profile's regions and capacity

Revision ID: a4c7e2d9b1f6
Revises: 8dc86b109ef2
Create Date: 2026-12-01 03:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'a4c7e2d9b1f6'
down_revision = '8dc86b109ef2'
branch_labels = None
depends_on = None

# A snapshot of models/search.py's SQLITE_FTS_DDL as of this revision.
SQLITE_FTS_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "terms, content='search_documents', content_rowid='id')",
    "CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER search_documents_fts_update AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
)


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regions', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(
            sa.Column('capacity', sa.String(length=120), nullable=False, server_default='')
        )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('regions', server_default=None)
        batch_op.alter_column('capacity', server_default=None)

    op.create_table(
        'search_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('organisation_name', sa.String(length=200), nullable=False),
        sa.Column('organisation_slug', sa.String(length=140), nullable=False),
        sa.Column('sector', sa.String(length=40), nullable=False),
        sa.Column('type', sa.String(length=20), nullable=False),
        sa.Column('region', sa.String(length=60), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=True),
        sa.Column('volume', sa.String(length=80), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('terms', postgresql.TSVECTOR() if postgres else sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_search_documents_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
        sa.UniqueConstraint('kind', 'ref_id', name=op.f('uq_search_documents_kind')),
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_search_documents_closes_on'), ['closes_on'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_search_documents_organisation_id'), ['organisation_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_search_documents_published_at'), ['published_at'], unique=False
        )
    op.create_table(
        'search_facets',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('facet', sa.String(length=20), nullable=False),
        sa.Column('value', sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ['document_id'], ['search_documents.id'],
            name=op.f('fk_search_facets_document_id_search_documents'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('document_id', 'facet', 'value', name=op.f('pk_search_facets')),
    )
    op.create_index('ix_search_facets_facet_value', 'search_facets', ['facet', 'value'])
    if postgres:
        op.create_index(
            'ix_search_documents_terms', 'search_documents', ['terms'], postgresql_using='gin'
        )
    else:
        for statement in SQLITE_FTS_DDL:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_search_documents_terms', table_name='search_documents')
    else:
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index('ix_search_facets_facet_value', table_name='search_facets')
    op.drop_table('search_facets')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_published_at'))
        batch_op.drop_index(batch_op.f('ix_search_documents_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_search_documents_closes_on'))
    op.drop_table('search_documents')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('capacity')
        batch_op.drop_column('regions')
