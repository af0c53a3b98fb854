"""Languages, time zones, countries and regions, and the `flask translate` command."""

import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TypeVar
from zoneinfo import available_timezones

import click
import yaml
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.lists import format_list
from flask import current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from cta_learning.security import signed_in

LANGUAGE_COOKIE = "cta_lang"
Text = TypeVar("Text")  # a text, or a lesson's content, given per language
REGION_NAMES = {
    "africa": _l("Africa"),
    "americas": _l("Americas"),
    "asia": _l("Asia"),
    "europe": _l("Europe"),
    "oceania": _l("Oceania"),
}


def select_locale() -> str:
    """The user's setting, then ?lang=, then the visitor's cookie, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if signed_in() and current_user.locale in languages:
        return current_user.locale
    # The API answers each request in its own language: no remembered choice.
    remembered = None if request.path.startswith("/api/") else request.cookies.get(LANGUAGE_COOKIE)
    for choice in (request.args.get("lang"), remembered):
        if choice is not None and choice in languages:
            return choice
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str | None:
    """The user's time zone; visitors see UTC."""
    if current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def remember_visitor_language(response):
    """Keep a visitor's ?lang= choice in a cookie so the next page stays in that language."""
    choice = request.args.get("lang")
    if (
        choice in current_app.config["LANGUAGES"]
        and request.cookies.get(LANGUAGE_COOKIE) != choice
        and not current_user.is_authenticated
        and not request.path.startswith("/api/")
    ):
        response.set_cookie(
            LANGUAGE_COOKIE,
            choice,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


def current_language() -> str:
    return str(get_locale() or "en")


def text_and_language(texts: Mapping[str, Text], language: str) -> tuple[Text, str]:
    """A {language: text} mapping in `language`, else English, else any; and the language of
    the text given."""
    for code in (language, "en"):
        if texts.get(code):
            return texts[code], code
    code = next(iter(texts))
    return texts[code], code


def translated(texts: Mapping[str, Text], language: str) -> tuple[Text, bool]:
    """`text_and_language`'s text, and whether it is a fallback (not in `language`)."""
    text, shown = text_and_language(texts, language)
    return text, shown != language


def list_text(items: Iterable[object]) -> str:
    """Items written as a list in the reader's language, by Babel: "Migrants and Refugees",
    "Migrants et Réfugiés", "المهاجرون واللاجئون" (an Arabic list has its own conjunction)."""
    return format_list([str(item) for item in items], locale=current_language())


def in_language(texts: dict | None) -> str:
    """A {language: text} mapping in the reader's language (see `translated`)."""
    return translated(texts, current_language())[0] if texts else ""


@lru_cache(maxsize=1)
def timezone_ids() -> tuple[str, ...]:
    """Canonical IANA time zones (Area/City), sorted, with UTC first."""
    canonical = set(get_global("zone_territories")) & available_timezones()
    return ("UTC", *sorted(canonical))


def is_valid_timezone(name: str | None) -> bool:
    return bool(name) and name in _timezone_set()


@lru_cache(maxsize=1)
def _timezone_set() -> frozenset[str]:
    return frozenset(timezone_ids()) | frozenset(available_timezones())


def timezone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in timezone_ids()]


@lru_cache(maxsize=1)
def country_regions() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> UN M49 region id, from content/un_regions.yaml."""
    path = os.path.join(current_app.config["CONTENT_PATH"], "un_regions.yaml")
    with open(path, encoding="utf-8") as handle:
        return {str(code): str(region) for code, region in yaml.safe_load(handle).items()}


def region_for_country(code: str) -> str:
    return country_regions()[code]


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=8)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(language).territories
    codes = country_regions()
    pairs = [(code, territories.get(code, code)) for code in codes]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1])))


def country_choices() -> list[tuple[str, str]]:
    """Countries as (code, name in the current language), sorted by name."""
    return list(_country_choices(current_language()))


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return Locale.parse(current_language()).territories.get(code, code)


@lru_cache(maxsize=64)
def _language_name(code: str, language: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(language) or code
    except (ValueError, UnknownLocaleError):
        return code


def language_name(code: str | None) -> str:
    """A language's name in the reader's language ("anglais" on a French page), from Babel."""
    return _language_name(code, current_language()) if code else ""


def region_name(region: str | None) -> str:
    return str(REGION_NAMES.get(region or "", region or ""))


@click.group()
def translate() -> None:
    """Extract, update and compile the message catalogues of the platform's languages."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # noqa: S603 - our own arguments


def _paths() -> tuple[str, str, str]:
    package = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(package)
    return root, os.path.join(package, "translations"), os.path.join(package, "messages.pot")


def _extract(root: str, pot: str) -> None:
    _pybabel(
        "extract",
        "-F",
        os.path.join(root, "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "lazy_pgettext:1c,2",
        "--no-location",
        "--sort-output",
        "-o",
        pot,
        os.path.join(root, "cta_learning"),
        os.path.join(root, "templates"),
    )


@translate.command()
def update() -> None:
    """Extract every message and merge it into the catalogues."""
    root, translations, pot = _paths()
    _extract(root, pot)
    _pybabel("update", "-i", pot, "-d", translations, "--no-fuzzy-matching", "--ignore-obsolete")
    os.remove(pot)


@translate.command()
@click.argument("language")
def init(language: str) -> None:
    """Start the catalogue of a new language (English is the source language)."""
    root, translations, pot = _paths()
    _extract(root, pot)
    _pybabel("init", "-i", pot, "-d", translations, "-l", language)
    os.remove(pot)


@translate.command()
def compile() -> None:
    """Compile the catalogues to .mo files."""
    _, translations, _ = _paths()
    _pybabel("compile", "-d", translations, "--statistics")
