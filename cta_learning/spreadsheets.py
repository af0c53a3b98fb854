"""CSV exports that spreadsheets open safely."""

# A cell starting with one of these would be run as a formula by Excel or LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
