"""Pagination with a count query of one's own (cheaper than counting the whole page query).

Pages stop at MAX_PAGE (past it: 404), so no OFFSET grows without bound with the page number;
filters narrow a longer list. A count can be cached under a key that carries a content version
(see content_versions), so it is counted once per change rather than once per request.
"""

from dataclasses import dataclass
from math import ceil

from flask import abort, request
from sqlalchemy import func, select

from cta_learning.extensions import cache_get_or_make, db

MAX_PAGE = 500


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, ceil(self.total / self.per_page)))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def count_of(query):
    """The count query of a page query: its rows counted, without its ordering."""
    return select(func.count()).select_from(query.order_by(None).subquery())


def _total(count_query, cache_key: str | None) -> int:
    """The count, from the cache when a key is given; a cache that fails only costs a count."""
    if cache_key is None:
        return db.session.scalar(count_query) or 0
    return cache_get_or_make(cache_key, lambda: db.session.scalar(count_query) or 0)


def paginate(query, count_query, per_page: int, cache_key: str | None = None) -> Page:
    """The page named by ?page= (404 past the last page, past MAX_PAGE or for a non-number).

    With `cache_key` (which must carry the content version), the count is cached under it.
    """
    number = request.args.get("page", 1, type=int)
    if number is None or number < 1 or number > MAX_PAGE:
        abort(404)
    total = _total(count_query, cache_key)
    if number > 1 and (number - 1) * per_page >= total:
        abort(404)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).unique())
    return Page(items, total, number, per_page)
