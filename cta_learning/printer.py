"""Print one HTML document to PDF: HTML on stdin, PDF on stdout.

Run as a child process by `printing.render_pdf`, so that the web and mail workers never load
the printing library and its fonts (tens of MB each, kept for the life of a worker)."""

import sys


def refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    """Nothing is fetched while printing: a certificate carries its fonts and QR code inline."""
    raise ValueError(f"not fetched while printing: {url[:80]}")


def main() -> None:
    from weasyprint import HTML

    html = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(HTML(string=html, url_fetcher=refuse_fetch).write_pdf())


if __name__ == "__main__":
    main()
