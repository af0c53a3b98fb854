"""URL arguments the database can hold: a number larger than any row id is a 404, not a 500."""

from flask import Flask
from werkzeug.routing import IntegerConverter

# Row ids are INTEGER columns: 32-bit signed on PostgreSQL, which raises on anything larger
# (and SQLite on anything past 64 bits), so no larger number can name a row.
LARGEST_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` for row ids: a number no row can have is a 404 at every address.

    Longer numbers than LARGEST_ID's ten digits do not match at all. A ten-digit number past it
    becomes 0, which no row has, rather than failing the converter: on an address with several
    methods (POST and DELETE …/registration) the router would then answer 405, not 404."""

    regex = r"\d{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= LARGEST_ID else 0


def init_app(app: Flask) -> None:
    """Replace the `int` converter before any rule is added (rules bind it when registered)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
