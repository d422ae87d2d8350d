"""Schemas more than one resource of the API uses: a breakdown line and paging."""

from __future__ import annotations

import marshmallow as ma

MAX_PER_PAGE = 100


class BreakdownLineSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Block code or bonus"})
    value_cents = ma.fields.Integer(required=True)


class PageQuerySchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(
        load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )


class PageSchema(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Items on all pages"})
