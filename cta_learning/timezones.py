"""Choosing a time zone: options people can find, and a first guess from the browser's languages.

The options are grouped by region (an <optgroup> each) and read "Bogotá, Colombia (UTC-05:00)"
in the page's language, from Babel's data, so typing a city or a country finds them. Without
JavaScript the zone is guessed from Accept-Language: a language tagged with a country that has
a single time zone (es-CO: America/Bogota, fr-SN: Africa/Dakar). A bare language (fr), or a
country with several zones (en-US), guesses nothing: UTC stays, visibly unchosen, rather than
a wrong city. static/js/timezone.js then puts the browser's own zone in its place.
"""

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from cta_learning.i18n import (
    REGION_NAMES,
    _sort_key,
    country_regions,
    current_language,
    timezone_ids,
)

FIXED_OFFSETS = "Etc/"  # Etc/GMT+5 is UTC-05:00 all year round (POSIX inverts the sign)
OTHER_PLACES = _l("Other places")
FIXED_GROUP = _l("Fixed offsets, without summer time")


def offset_text(zone: str, moment: datetime) -> str:
    """The zone's offset from UTC at that moment: "UTC-05:00", "UTC+05:30"."""
    offset = moment.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _city(zone: str, language: str) -> str:
    """The zone's main city in the language ("Nueva York"), else from its name ("Buenos Aires")."""
    city = get_timezone_location(zone, locale=language, return_city=True)
    return city.rpartition("/")[2].replace("_", " ")


def _option(zone: str, language: str, moment: datetime) -> tuple[str, str, str]:
    """(group, label, zone) of one time zone."""
    offset = offset_text(zone, moment)
    if zone.startswith(FIXED_OFFSETS):
        return str(FIXED_GROUP), f"{offset} ({zone})", zone
    country_code = get_global("zone_territories").get(zone, "")
    # "001" (the world) is where Babel puts zones of no country, such as Antarctica's bases.
    is_country = len(country_code) == 2 and country_code.isalpha()
    country = Locale.parse(language).territories.get(country_code, "") if is_country else ""
    city = _city(zone, language)
    region = country_regions().get(country_code)
    group = str(REGION_NAMES[region]) if region in REGION_NAMES else str(OTHER_PLACES)
    if country and country != city:
        label = _("%(city)s, %(country)s (%(offset)s)", city=city, country=country, offset=offset)
    else:
        label = _("%(city)s (%(offset)s)", city=city, offset=offset)
    return group, label, zone


@lru_cache(maxsize=8)
def _grouped(language: str, day: date) -> tuple[SelectChoice, ...]:
    """The options of one language, with the offsets of one day (summer time moves them)."""
    moment = datetime.combine(day, datetime.min.time(), UTC)
    options = [_option(zone, language, moment) for zone in timezone_ids() if zone != "UTC"]
    order = [*(str(name) for name in REGION_NAMES.values()), str(OTHER_PLACES), str(FIXED_GROUP)]
    options.sort(key=lambda option: (order.index(option[0]), _sort_key(option[1])))
    utc = SelectChoice("UTC", _("UTC, Coordinated Universal Time"))
    return (utc, *(SelectChoice(zone, label, optgroup=group) for group, label, zone in options))


def grouped_timezone_choices() -> list[SelectChoice]:
    """Every time zone as a select option in the page's language, grouped by region, UTC first."""
    return list(_grouped(current_language(), datetime.now(UTC).date()))


@lru_cache(maxsize=1)
def _single_zones() -> dict[str, str]:
    """Country code -> its time zone, for the countries that have exactly one."""
    known = set(timezone_ids())
    zones = {}
    for country, names in get_global("territory_zones").items():
        found = [name for name in names if name in known]
        if len(found) == 1:
            zones[country] = found[0]
    return zones


def _country_of(language_tag: str) -> str | None:
    """The country a language tag names (es-CO, zh-Hant-TW), if any."""
    parts = language_tag.replace("_", "-").split("-")[1:]
    return next((part.upper() for part in parts if len(part) == 2 and part.isalpha()), None)


def guessed_timezone() -> str:
    """The time zone the request's languages point to, else UTC: the first language tagged with
    a country decides, if that country has a single time zone."""
    for tag, _quality in request.accept_languages:
        country = _country_of(tag)
        if country is not None:
            return _single_zones().get(country, "UTC")
    return "UTC"
