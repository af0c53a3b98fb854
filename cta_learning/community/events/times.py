"""Event times: entered in the organiser's zone, stored in naive UTC, shown in the viewer's.

Local times that a clock change skips do not exist and are refused; times that happen twice
(clocks going back) are read as the first of the two, as calendar programs do.
"""

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import (
    format_date,
    format_datetime,
    format_time,
    get_datetime_format,
    get_timezone_name,
)
from flask_babel import get_locale

DASH = "\u2013"  # an en dash between two times
# Zones that are Coordinated Universal Time under another name: CLDR names it only as a
# "standard" zone, and Babel's generic name for it would be "Unknown Region (UTC) Time".
UNIVERSAL = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Universal"})


class NonexistentTime(ValueError):
    """The local time falls in the gap of a clock change."""


def to_utc(day: date, clock: time, zone: str) -> datetime:
    """The naive UTC moment of a wall-clock time in `zone`."""
    local = datetime.combine(day, clock, tzinfo=ZoneInfo(zone))
    moment = local.astimezone(UTC)
    if moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentTime(local.isoformat())
    return moment.replace(tzinfo=None)


def in_zone(moment: datetime, zone: str) -> datetime:
    """A stored moment as an aware datetime in `zone`."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def format_in_zone(moment: datetime, zone: str, format: str = "medium") -> str:
    """A stored moment in `zone` and the current language, e.g. 'Jan 22, 2021, 4:00 PM'."""
    return format_datetime(in_zone(moment, zone), format, locale=get_locale())


def brief_in_zone(moment: datetime, zone: str) -> str:
    """A short date and time without seconds: 'Dec 17, 2026, 6:00 AM'."""
    local, locale = in_zone(moment, zone), str(get_locale())
    return _day_at(format_date(local, "medium", locale=locale), local, locale)


def span_in_zone(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """'Friday, January 22, 2021, 4:00 PM to 6:00 PM' (with a dash), both dates over days."""
    return _span(starts_at, ends_at, zone, str(get_locale()))


# Lists show the same few zones and times again and again: format each once per language.
@lru_cache(maxsize=8192)
def _span(starts_at: datetime, ends_at: datetime, zone: str, locale: str) -> str:
    start, end = in_zone(starts_at, zone), in_zone(ends_at, zone)
    first = _day_at(format_date(start, "full", locale=locale), start, locale)
    if start.date() == end.date():
        return f"{first} {DASH} {format_time(end, 'short', locale=locale)}"
    return f"{first} {DASH} {_day_at(format_date(end, 'full', locale=locale), end, locale)}"


def _day_at(day: str, moment: datetime, locale: str) -> str:
    """A written day and the moment's time joined as the language joins them ('{1}, {0}' in
    English, '{1}، {0}' in Arabic)."""
    pattern = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return pattern.replace("{0}", format_time(moment, "short", locale=locale)).replace("{1}", day)


def time_span_in_zone(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """'4:00 PM to 4:05 PM' with a dash (agenda segments)."""
    locale = get_locale()
    return (
        f"{format_time(in_zone(starts_at, zone), 'short', locale=locale)}"
        f" {DASH} {format_time(in_zone(ends_at, zone), 'short', locale=locale)}"
    )


def zone_label(zone: str) -> str:
    """A zone's name for people: 'Colombia Time (Bogota)'."""
    return _zone_label(zone, str(get_locale()))


@lru_cache(maxsize=1024)
def _zone_label(zone: str, locale: str) -> str:
    if zone in UNIVERSAL:  # 'Coordinated Universal Time', 'temps universel coordonné'…
        return get_timezone_name(ZoneInfo("Etc/UTC"), zone_variant="standard", locale=locale)
    return get_timezone_name(ZoneInfo(zone), locale=locale)


def zone_abbreviation(moment: datetime, zone: str) -> str:
    """The zone as it is written beside a time on that date: 'CET', 'CEST', '-05'."""
    return in_zone(moment, zone).strftime("%Z")
