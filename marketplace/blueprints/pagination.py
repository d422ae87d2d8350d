"""Links to the pages of long lists on the server-rendered pages (dashboard, approval queue,
contract page). The pages themselves are loaded by the services (`services/pages.py`); the page
number comes from the query string through `formhelpers.page_arg` (never fails)."""

from __future__ import annotations

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination


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


def page_url(number: int, param: str = "page", anchor: str | None = None) -> str:
    """This page's URL with `param` set to `number`, keeping the other query arguments (the
    filters, the other list's page), so any page of any list is a link to share. Arguments
    starting with `_` are dropped: url_for would read them as its own (`_external`, `_scheme`)."""
    args = {k: v for k, v in request.args.lists() if not k.startswith("_")}
    args[param] = [str(number)]
    values = {**args, **(request.view_args or {})}
    return url_for(request.endpoint, **values, _anchor=anchor)
