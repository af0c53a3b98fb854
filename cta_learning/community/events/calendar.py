"""iCalendar (RFC 5545) files: one event, an email attachment, or a person's calendar feed.

Times carry the event's own zone (with its VTIMEZONE), so calendars show them right in any zone
and across clock changes. UIDs are stable and SEQUENCE grows on postponement or cancellation, so
a calendar updates the entry it already holds instead of adding a second one.
"""

from datetime import UTC, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from cta_learning import i18n
from cta_learning.community.events.models import Event
from cta_learning.community.events.times import in_zone
from cta_learning.database import utcnow
from cta_learning.security import public_url_for

if TYPE_CHECKING:
    from icalendar import Event as CalendarEvent

ALARM_BEFORE = timedelta(minutes=30)
CONTENT_TYPE = "text/calendar"


def _host() -> str:
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"


def _component(event: Event, with_link: bool) -> "CalendarEvent":
    # icalendar (and dateutil) cost each web worker about 3.5 MB at start, for the few
    # requests that make a calendar file: imported when the first one does.
    from icalendar import Alarm
    from icalendar import Event as CalendarEvent

    page = public_url_for("events.detail", event_id=event.id)
    text = event.text(i18n.current_language())  # the reader's: the caller sets the locale
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{_host()}")
    entry.add("dtstamp", utcnow().replace(tzinfo=UTC))
    entry.add("last-modified", event.updated_at.replace(tzinfo=UTC))
    entry.add("dtstart", in_zone(event.starts_at, event.timezone))
    entry.add("dtend", in_zone(event.ends_at, event.timezone))
    entry.add("sequence", event.sequence)
    entry.add("summary", text.title)
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    entry.add("url", page)
    lines = [text.summary, page]
    if text.is_fallback:
        language = i18n.language_name(text.language)
        lines.insert(0, _("This event is written in %(language)s.", language=language))
    if with_link and event.online_url:
        lines.append(_("Join online: %(url)s", url=event.online_url))
    entry.add("description", "\n\n".join(line for line in lines if line))
    location = event.venue or (event.online_url if with_link else None)
    if location:
        entry.add("location", location)
    if not event.is_cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", text.title)
        alarm.add("trigger", -ALARM_BEFORE)
        entry.add_component(alarm)
    return entry


def calendar_file(events: list[tuple[Event, bool]], name: str | None = None) -> bytes:
    """An iCalendar file of (event, show the online link) pairs."""
    from icalendar import Calendar  # on first use, as in _component

    calendar = Calendar()
    calendar.add("prodid", "-//CTA Learning//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for event, with_link in events:
        calendar.add_component(_component(event, with_link))
    if events:
        first = min(event.starts_at for event, _ in events).date() - timedelta(days=1)
        last = max(event.ends_at for event, _ in events).date() + timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def attachment(event: Event, with_link: bool) -> dict[str, str]:
    """The event as an email attachment for the outbox."""
    return {
        "filename": f"event-{event.id}.ics",
        "content_type": CONTENT_TYPE,
        "content": calendar_file([(event, with_link)]).decode(),
    }
