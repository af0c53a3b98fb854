"""The platform's languages, listed once: config.py's `LANGUAGES`, each with its own name and its
writing direction, from Babel.

Two lists, both from that one setting:
- `PLATFORM` (config.py's default) fixes what is built at import time: the content files'
  required languages, the event and campaign forms' text fields, the database CHECKs, the API's
  enum. Adding a language there needs its catalogue, its content and a migration (README).
- `offered()` (the running app's setting, which a deployment or a test may change) is what
  readers can choose: the switcher, account settings, the locale chosen for a request.
"""

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask import current_app, has_app_context
from flask_babel import LazyString, get_locale

from cta_learning.config import DefaultConfig

PLATFORM: tuple[str, ...] = tuple(DefaultConfig.LANGUAGES)


def offered() -> tuple[str, ...]:
    """The languages readers may choose in the running app (else config.py's)."""
    if has_app_context():
        return tuple(current_app.config["LANGUAGES"])
    return PLATFORM


def _capitalised(name: str) -> str:
    # Babel names languages in lower case ("français"); a label or option starts a phrase.
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def own_name(code: str) -> str:
    """The language's name in itself (its endonym): "Français", "العربية"."""
    locale = _locale(code)
    return _capitalised(locale.get_display_name(code) or code) if locale else code


def own_names(codes: tuple[str, ...] | None = None) -> dict[str, str]:
    """{code: endonym} for `codes`, by default the languages offered."""
    return {code: own_name(code) for code in (offered() if codes is None else codes)}


def offered_choices() -> list[tuple[str, str]]:
    """Select options of the offered languages (a callable, so forms read the app's setting)."""
    return list(own_names().items())


def direction(code: str | None) -> str:
    """ "rtl" for a language written right to left (Arabic), else "ltr"."""
    locale = _locale(code) if code else None
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def label(code: str) -> str:
    """The language's name in the reader's language, as a label ("Espagnol" on a French page)."""
    reader = str(get_locale() or "en")
    locale = _locale(code)
    return _capitalised(locale.get_display_name(reader) or code) if locale else code


def labels(codes: tuple[str, ...] = PLATFORM) -> dict[str, LazyString]:
    """{code: label}, each named when displayed (module-level label tables)."""
    return {code: LazyString(label, code) for code in codes}


def reading_direction() -> str:
    """The direction of the page being written ("rtl" on an Arabic page)."""
    return direction(str(get_locale() or "en"))


def forward_arrow() -> str:
    """An arrow towards what comes next: "→", or "←" right to left (arrows are not mirrored
    by the bidi algorithm, unlike brackets and guillemets)."""
    return "←" if reading_direction() == "rtl" else "→"


def back_arrow() -> str:
    """An arrow towards what came before: "←", or "→" right to left."""
    return "→" if reading_direction() == "rtl" else "←"
