"""Pagination with a count query of one's own (cheaper than counting the whole page query)."""

from dataclasses import dataclass
from math import ceil

from flask import abort, request
from sqlalchemy import func, select

from cta_learning.extensions import db


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

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


def paginate(query, count_query, per_page: int) -> Page:
    """The page named by ?page= (404 past the last page or for a number that is not one)."""
    number = request.args.get("page", 1, type=int)
    if number is None or number < 1 or number > 100_000:
        abort(404)
    total = db.session.scalar(count_query) or 0
    if number > 1 and (number - 1) * per_page >= total:
        abort(404)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).unique())
    return Page(items, total, number, per_page)
