"""Printable certificates: a PDF made from an HTML template, with a QR code to the page that
checks it, to download or to attach to an email."""

import base64
import logging
import subprocess
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from cta_learning.refusals import Refused

log = logging.getLogger(__name__)
CONTENT_TYPE = "application/pdf"
PRINTER = [sys.executable, "-m", "cta_learning.printer"]
PRINT_TIMEOUT = 60  # seconds: the first print of a machine loads its fonts
NAME_LIMIT = 120  # characters printed of a name: longer ones end with "…"


def qr_code(url: str) -> Markup:
    """The URL as an inline SVG QR code (medium error correction survives a crease)."""
    import segno  # here: only printing needs it, so workers do not carry it from the start

    svg = segno.make(url, error="m", micro=False).svg_inline(scale=4, border=2, title=url)
    return Markup(svg)  # noqa: S704 - segno escapes the title it writes


def shorten(text: str, limit: int = NAME_LIMIT) -> str:
    """A text cut to `limit` characters, so that a name of any length keeps to one page."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def name_class(name: str) -> str:
    """A smaller type for longer names, so that every name fits the frame."""
    return "very-long" if len(name) > 70 else "long" if len(name) > 35 else ""


def local_date(moment: datetime, zone: str, locale: str) -> str:
    """A stored UTC moment's date in `zone`, written out in `locale` ('12 March 2026')."""
    return format_date(_local(moment, zone), format="long", locale=locale)


def local_dates(starts_at: datetime, ends_at: datetime, zone: str, locale: str) -> str:
    """One date, or the first and last days joined by a dash, in `locale`."""
    start, end = (
        format_date(_local(moment, zone), format="long", locale=locale)
        for moment in (starts_at, ends_at)
    )
    # Babel's intervals abbreviate the month in some languages: a certificate spells it out.
    return start if start == end else f"{start} \u2013 {end}"


def _local(moment: datetime, zone: str) -> date:
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


class PrintingFailed(Refused):
    """The printer stopped without a PDF (its error output is logged): try again later."""

    def __init__(self, reason: str):
        log.error("printing failed: %s", reason)
        super().__init__(
            _l("The certificate could not be printed just now. Please try again in a minute."),
            status=503,
        )


def render_pdf(template: str, locale: str, **context: object) -> bytes:
    """The template rendered in `locale` and printed to PDF (A4, fonts embedded)."""
    with force_locale(locale):
        html = render_template(template, language=locale, name_class=name_class, **context)
    # Printed by a child process (cta_learning/printer.py): the printing library and its fonts
    # would otherwise stay in every worker that once printed, about 34 MB each.
    document = html.encode("utf-8")
    done = _print(template, document)
    if done.returncode < 0:
        # Killed by a signal (a font cache being rebuilt beside it, memory short for a moment):
        # a second printer usually succeeds, and the reader need not ask again.
        log.warning(
            "printer for %s stopped by signal %s; printing again", template, -done.returncode
        )
        done = _print(template, document)
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        stderr = done.stderr.decode("utf-8", "replace")[-2000:]
        raise PrintingFailed(f"{template}: the printer stopped ({done.returncode}): {stderr}")
    log.info("PDF %s printed in %s (%s bytes)", template, locale, len(done.stdout))
    return done.stdout


def _print(template: str, html: bytes) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(  # noqa: S603 - our own printer module, no shell
            PRINTER, input=html, capture_output=True, timeout=PRINT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PrintingFailed(f"{template}: {error}") from error


def attachment(document: bytes, filename: str) -> dict[str, str]:
    """A PDF as an outbox attachment (kept in the outbox, so a restarted worker still has it)."""
    return {
        "filename": filename,
        "content_type": CONTENT_TYPE,
        "encoding": "base64",
        "content": base64.b64encode(document).decode("ascii"),
    }


def download(document: bytes, filename: str) -> tuple[bytes, int, dict[str, str]]:
    """A PDF as a download response, for its owner only (never kept by a shared cache)."""
    return (
        document,
        200,
        {
            "Content-Type": CONTENT_TYPE,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
