"""Pages of a list that never count a million rows exactly.

An exact `COUNT(*)` under a pager cost 70–99% of the feedback inbox's SQL at a million items. Here a page is
read with one row more than it shows, which says whether there is a next page; the total is counted only up to
`COUNT_LIMIT` (beyond that the page says "more than 10,000"), and on the last page it is known without
counting at all. Page numbers keep working, so links and bookmarks stay the same.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from crm.extensions import db

COUNT_LIMIT = 10_000
# Reading past this many rows to reach a page costs more than anyone needs: a filter finds it faster. A
# tampered page number lands on the deepest page instead of scanning the table.
MAX_OFFSET = 100_000


def _page_number(page: int, per_page: int) -> int:
    return min(max(page, 1), MAX_OFFSET // per_page + 1)


class _Page(Pagination):
    """What the templates use: items, page numbers, and a total that may be a lower bound."""

    total_is_lower_bound = False
    _has_more = False

    @property
    def total_text(self) -> str:
        """The total as the page says it: "1,234", or "more than 10,000"."""
        if self.total_is_lower_bound:
            return f"more than {COUNT_LIMIT:,}"
        return f"{self.total or 0:,}"

    @property
    def pages(self) -> int:
        if not self.total_is_lower_bound:
            return super().pages
        return max(ceil(COUNT_LIMIT / self.per_page), self.page + (1 if self._has_more else 0))

    @property
    def has_next(self) -> bool:
        return self._has_more

    def iter_pages(
        self, *, left_edge=2, left_current=2, right_current=4, right_edge=2
    ) -> Iterator[int | None]:
        # When the total is not known, the highest page number shown is not the last page: leave it out.
        right_edge = 0 if self.total_is_lower_bound else right_edge
        return super().iter_pages(
            left_edge=left_edge, left_current=left_current, right_current=right_current, right_edge=right_edge
        )


class BoundedPagination(_Page):
    def _query_items(self) -> list:
        query = self._query_args["select"].limit(self.per_page + 1).offset(self._query_offset)
        items = list(db.session.execute(query).unique().scalars())
        self._has_more = len(items) > self.per_page
        return items[: self.per_page]

    def _query_count(self) -> int:
        if not self._has_more and (self.items or self.page == 1):
            return self._query_offset + len(self.items)  # the last page: nothing after it
        query = self._query_args["select"].options(lazyload("*")).order_by(None).limit(COUNT_LIMIT + 1)
        counted = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        self.total_is_lower_bound = counted > COUNT_LIMIT
        return min(counted, COUNT_LIMIT)


class KnownPagination(_Page):
    """A page whose items and total were worked out already (the evidence pack reads them in one query)."""

    def _query_items(self) -> list:
        items = self._query_args["items"]
        self._has_more = self._query_offset + len(items) < self._query_args["total"]
        return items

    def _query_count(self) -> int:
        return self._query_args["total"]


def paginate(query: Select, page: int, per_page: int) -> BoundedPagination:
    """One page of `query` (which must be ordered), and a total counted up to COUNT_LIMIT."""
    per_page = min(max(per_page, 1), 100)
    return BoundedPagination(
        select=query, page=_page_number(page, per_page), per_page=per_page, max_per_page=100, error_out=False
    )


def known_page(items: list, total: int, page: int, per_page: int) -> KnownPagination:
    return KnownPagination(
        items=items, total=total, page=page, per_page=per_page, max_per_page=100, error_out=False
    )


def page_offset(page: int, per_page: int) -> tuple[int, int]:
    """The page number a request may have, and the offset of its first row."""
    page = _page_number(page, per_page)
    return page, (page - 1) * per_page


@dataclass
class Latest:
    """The newest few rows of a history list on a record's page, and how many there are in all."""

    items: list
    total: int

    @property
    def has_more(self) -> bool:
        return self.total > len(self.items)


def latest(query: Select, limit: int = 10) -> Latest:
    """The first `limit` rows of `query` (ordered newest first) and its total: two queries at most, whatever
    the number of rows; one when everything fits."""
    items = list(db.session.execute(query.limit(limit)).unique().scalars())
    if len(items) < limit:
        return Latest(items, len(items))
    counted = query.options(lazyload("*")).order_by(None).subquery()
    return Latest(items, db.session.scalar(select(func.count()).select_from(counted)) or 0)
