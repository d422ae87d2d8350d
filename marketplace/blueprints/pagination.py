"""Pages of long lists on the server-rendered pages (dashboard, approval queue, contract page).

The page number comes from the query string through `formhelpers.page_arg` (never fails);
`paginate` answers 404 for a page past the end, so a shared link to a page that no longer exists
says so instead of showing an empty list that reads as "no realisations yet"."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func

from marketplace.extensions import db


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


class ResultsPagination(Pagination):
    """A page a service already fetched (its items, total and last page), for the `pagination`
    macro: the search results, whose service pages and counts on its own."""

    def __init__(self, items: list, total: int, page: int, per_page: int, pages: int) -> None:
        self._given = (items, total)
        self._last = pages
        super().__init__(page=page, per_page=per_page, error_out=False)

    def _query_items(self) -> list:
        return self._given[0]

    def _query_count(self) -> int:
        return self._given[1]

    @property
    def pages(self) -> int:
        return self._last


def paginate(select: Select, page: int, per_page: int) -> CountedPagination:
    """Page `page` of `select` (ordered by the caller); 404 for a page past the last one. Page 1
    of an empty list is a page: the template shows its empty state."""
    result = CountedPagination(
        select=select, session=db.session, page=page, per_page=per_page, error_out=False
    )
    if page > 1 and not result.items:
        abort(404)
    return result


def page_url(number: int, param: str = "page", anchor: str | None = None) -> str:
    """This page's URL with `param` set to `number`, keeping the other query arguments (the
    filters, the other list's page), so any page of any list is a link to share. Arguments
    starting with `_` are dropped: url_for would read them as its own (`_external`, `_scheme`)."""
    args = {k: v for k, v in request.args.lists() if not k.startswith("_")}
    args[param] = [str(number)]
    values = {**args, **(request.view_args or {})}
    return url_for(request.endpoint, **values, _anchor=anchor)
