"""CSV exports that spreadsheets open safely."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

from flask import Response, stream_with_context

# A cell starting with one of these would be run as a formula by Excel or LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], stream: bool = False
) -> Response:
    """A CSV download: the header, then the rows (cells already made safe by the caller).

    With `stream`, rows are written while the response is sent, so a long export (every
    subscriber) never sits whole in memory; the rows' query then runs inside the response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def lines() -> Iterator[str]:
        for row in chain([header], rows):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(row)
            yield buffer.getvalue()

    body = stream_with_context(lines()) if stream else "".join(lines())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
