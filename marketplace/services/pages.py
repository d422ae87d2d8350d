"""Pages of long lists: the dashboard's contracts, the approval queue, a contract's realisations
and history, the API's contract list.

A page is Flask-SQLAlchemy's pagination object (`items`, `total`, `page`, `pages`, `has_next`,
`iter_pages`, ...), which the web layer turns into links (`blueprints/pagination.py: page_url`).
The page number arrives already bounded (`formhelpers.page_arg`, the API's schema)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func

from marketplace.extensions import db
from marketplace.services.errors import NotFound


class CountedPagination(SelectPagination):
    """A page of an ORM select and its total in one statement, for pages over thousands of rows.

    The page's ids are ranked first on the id and sort columns alone (a narrow sort), the total
    is a scalar subquery, and only the rows of the page are joined and eager-loaded. Only a page
    without rows (past the end, or nothing at all) counts separately."""

    def _query_items(self) -> list:
        base = self._query_args["select"]
        key = base.column_descriptions[0]["entity"].id
        page_ids = base.with_only_columns(key, maintain_column_froms=True)
        page_ids = page_ids.limit(self.per_page).offset(self._query_offset)
        total = base.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
        select = base.where(key.in_(page_ids)).add_columns(total.scalar_subquery().label("total"))
        rows = self._query_args["session"].execute(select).unique().all()
        self._counted = rows[0].total if rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        return self._counted if self._counted is not None else super()._query_count()


def page_of(select: Select, number: int, per_page: int) -> CountedPagination:
    """Page `number` of `select` (ordered by the caller), empty past the last one: the API's
    lists, whose clients read `total`."""
    return CountedPagination(
        select=select, session=db.session, page=number, per_page=per_page, error_out=False
    )


def existing_page(select: Select, number: int, per_page: int) -> CountedPagination:
    """Page `number` of `select`; NotFound for a page past the last one, so a shared link to a
    page that no longer exists says so instead of showing an empty list that reads as "no
    realisations yet". Page 1 of an empty list is a page: the template shows its empty state."""
    page = page_of(select, number, per_page)
    if number > 1 and not page.items:
        raise NotFound(_("Page not found"))
    return page


def ids_in_batches(ids_after: Callable[[int], Select], batch: int) -> Iterator[int]:
    """The ids `ids_after(last_id)` selects (ordered by id), read `batch` at a time, for a job
    that handles each in a transaction of its own: the read's transaction ends before the ids
    are handed out, so a long run holds no snapshot."""
    last_id = 0
    while True:
        ids = list(db.session.scalars(ids_after(last_id).limit(batch)))
        db.session.rollback()
        if not ids:
            return
        yield from ids
        last_id = ids[-1]
