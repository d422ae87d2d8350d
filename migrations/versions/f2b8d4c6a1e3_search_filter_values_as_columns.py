"""search: filter values as columns of search_documents (pso; sectors, regions and
certifications as lists), instead of rows of search_facets, so counting reads each document once

Revision ID: f2b8d4c6a1e3
Revises: 04bda2b1c007
Create Date: 2026-12-01 06:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'f2b8d4c6a1e3'
down_revision = '04bda2b1c007'
branch_labels = None
depends_on = None

LISTS = {'sectors': 'sector', 'regions': 'region', 'certifications': 'certification'}
# The facets that were rows of search_facets for every document, as columns of their own.
SINGLE = ('kind', 'type', 'pso')


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.add_column(
        'search_documents',
        sa.Column('pso', sa.String(length=20), nullable=False, server_default=''),
    )
    for name in LISTS:
        op.add_column(
            'search_documents',
            sa.Column(
                name,
                postgresql.ARRAY(sa.String(length=60)) if postgres else sa.JSON(),
                nullable=False,
                server_default='{}' if postgres else '[]',
            ),
        )
    # The values the facet rows held (a listing's one sector and region among them).
    if postgres:
        lists = ', '.join(
            f"{name} = ARRAY(SELECT f.value FROM search_facets f "
            f"WHERE f.document_id = d.id AND f.facet = '{facet}' ORDER BY f.value)"
            for name, facet in LISTS.items()
        )
        op.execute(
            f"UPDATE search_documents d SET {lists}, pso = COALESCE((SELECT f.value FROM "
            "search_facets f WHERE f.document_id = d.id AND f.facet = 'pso' LIMIT 1), '')"
        )
        for name in ('pso', *LISTS):
            op.alter_column('search_documents', name, server_default=None)
        for name in LISTS:
            op.create_index(
                f'ix_search_documents_{name}', 'search_documents', [name],
                postgresql_using='gin',
            )
    else:
        # No batch mode here: recreating the table would drop the FTS5 triggers.
        lists = ', '.join(
            f"{name} = (SELECT json_group_array(f.value) FROM search_facets f "
            f"WHERE f.document_id = search_documents.id AND f.facet = '{facet}')"
            for name, facet in LISTS.items()
        )
        op.execute(
            f"UPDATE search_documents SET {lists}, pso = COALESCE((SELECT f.value FROM "
            "search_facets f WHERE f.document_id = search_documents.id AND f.facet = 'pso' "
            "LIMIT 1), '')"
        )
    op.create_index('ix_search_documents_pso', 'search_documents', ['pso'])
    op.drop_index('ix_search_facets_facet_value', table_name='search_facets')
    op.drop_table('search_facets')


def downgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
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
    each = 'unnest(d.{name}) AS v(value)' if postgres else 'json_each(d.{name}) AS v'
    for name, facet in LISTS.items():
        op.execute(
            "INSERT INTO search_facets (document_id, facet, value) "
            f"SELECT DISTINCT d.id, '{facet}', v.value FROM search_documents d, "
            f"{each.format(name=name)} WHERE v.value <> ''"
        )
    for facet in SINGLE:
        op.execute(
            "INSERT INTO search_facets (document_id, facet, value) "
            f"SELECT d.id, '{facet}', d.{facet} FROM search_documents d WHERE d.{facet} <> ''"
        )
    op.drop_index('ix_search_documents_pso', table_name='search_documents')
    for name in LISTS:
        if postgres:
            op.drop_index(f'ix_search_documents_{name}', table_name='search_documents')
    # SQLite 3.35+ drops a column in place, so the FTS5 triggers stay.
    for name in ('pso', *LISTS):
        op.execute(f'ALTER TABLE search_documents DROP COLUMN {name}')
