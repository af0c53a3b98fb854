# Types for the parts of Flask-Babel 4.0 this project uses: the package ships no py.typed.
# A lazy string is typed as str: it stands in for one wherever a str is expected (WTForms
# labels, flash messages, refusals), and becomes one when rendered.
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from babel import Locale
from flask import Flask

class LazyString:
    def __init__(self, func: Callable[..., str], *args: Any, **kwargs: Any) -> None: ...
    def __str__(self) -> str: ...

class Babel:
    def __init__(self, app: Flask | None = None, **kwargs: Any) -> None: ...
    def init_app(
        self,
        app: Flask,
        *,
        locale_selector: Callable[[], str | None] | None = None,
        timezone_selector: Callable[[], str | None] | None = None,
        **kwargs: Any,
    ) -> None: ...

def gettext(string: str, **variables: Any) -> str: ...
def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str: ...
def lazy_gettext(string: str, **variables: Any) -> str: ...
def lazy_pgettext(context: str, string: str, **variables: Any) -> str: ...
@contextmanager
def force_locale(locale: str | Locale | None) -> Iterator[None]: ...
def get_locale() -> Locale | None: ...
def get_translations() -> Any: ...
def format_date(
    date: date | None = None, format: str | None = None, rebase: bool = True
) -> str: ...
def format_datetime(
    datetime: datetime | None = None, format: str | None = None, rebase: bool = True
) -> str: ...
def format_decimal(number: float | Decimal, format: str | None = None) -> str: ...
def format_currency(
    number: float | Decimal,
    currency: str,
    format: str | None = None,
    currency_digits: bool = True,
    format_type: str = "standard",
) -> str: ...
def format_timedelta(
    datetime_or_timedelta: datetime | timedelta,
    granularity: str = "second",
    add_direction: bool = False,
    threshold: float = 0.85,
) -> str: ...
