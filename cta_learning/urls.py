"""URL arguments the database can hold: a number larger than any row id is a 404, not a 500."""

from flask import Flask
from werkzeug.routing import IntegerConverter

# Row ids are INTEGER columns: 32-bit signed on PostgreSQL, which raises on anything larger
# (and SQLite on anything past 64 bits), so no larger number can name a row.
LARGEST_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` that matches only numbers up to LARGEST_ID (unless the rule sets its own max)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, LARGEST_ID if max is None else max, signed)


def init_app(app: Flask) -> None:
    """Replace the `int` converter before any rule is added (rules bind it when registered)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
