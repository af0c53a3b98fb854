"""The public list of events: its filters and its query.

Drafts never appear; an unknown filter value is ignored rather than refused, so that old or
hand-made links still show a list.
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, cast, func, inspect, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import SelectField

from cta_learning import content, i18n
from cta_learning.accounts.models import User
from cta_learning.community.events.models import (
    INTERPRETATION_LANGUAGES,
    KINDS,
    Event,
    EventStatus,
    EventTranslation,
    Registration,
)
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.forms import FilterForm as BaseFilterForm
from cta_learning.forms import choices


@lru_cache(maxsize=8)
def _filter_choices(language: str) -> tuple[list, ...]:
    """The filters' options as plain text in one language (translated once, not per page)."""
    with force_locale(language):
        everything = [("", str(_l("All")))]

        def plain(pairs):
            return choices([(value, str(label)) for value, label in pairs])

        return (
            plain([("upcoming", _l("Upcoming")), ("past", _l("Past"))]),
            plain(everything + list(KINDS.items())),
            plain(
                everything
                + [(str(p.id), i18n.translated(p.title, language)[0]) for p in content.priorities()]
            ),
            plain(everything + list(INTERPRETATION_LANGUAGES.items())),
        )


class FilterForm(BaseFilterForm):
    """The list's filters; "when" chooses upcoming or past events."""

    not_filters = ("when",)

    when = SelectField(
        _l("When"), choices=choices([("upcoming", _l("Upcoming")), ("past", _l("Past"))])
    )
    kind = SelectField(_l("Kind of event"))
    priority = SelectField(_l("Priority area"))
    language = SelectField(_l("Language"))

    def set_choices(self, language: str) -> None:
        when, kinds, priorities, languages = _filter_choices(language)
        self.when.choices = when
        self.kind.choices = kinds
        self.priority.choices = priorities
        self.language.choices = languages


def events(filters: dict[str, str], past: bool) -> tuple[Select, Select]:
    """The events matching the filters, upcoming or past, and a query counting them."""
    now = utcnow()
    query = select(Event).where(Event.status != EventStatus.DRAFT)
    if past:
        query = query.where(Event.ends_at <= now)
    else:
        query = query.where(Event.ends_at > now)
    if "kind" in filters:
        query = query.where(Event.kind == filters["kind"])
    if "priority" in filters:
        query = query.where(Event.priority_links.any(priority_id=int(filters["priority"])))
    if "language" in filters:
        query = query.where(cast(Event.languages, String).like(f'%"{filters["language"]}"%'))
    count = select(func.count()).select_from(query.subquery())
    order = Event.starts_at.desc() if past else Event.starts_at
    return query.options(joinedload(Event.series)).order_by(order, Event.id), count


def load_translations(events: Iterable[Event | None]) -> None:
    """Load the translations of these events and of their series, when loaded, in one query
    (none when all are loaded), so that a list in any language runs no query per event."""
    pending: dict[int, Event] = {}
    for event in events:
        if event is None:
            continue
        series = None if "series" in inspect(event).unloaded else event.series
        for row in (event, series):
            if row is not None and "translations" in inspect(row).unloaded:
                pending[row.id] = row
    if not pending:
        return
    found: dict[int, list[EventTranslation]] = defaultdict(list)
    for translation in db.session.scalars(
        select(EventTranslation)
        .where(EventTranslation.event_id.in_(pending))
        .order_by(EventTranslation.language)
    ):
        found[translation.event_id].append(translation)
    for event_id, event in pending.items():
        set_committed_value(event, "translations", found[event_id])


def statuses_of(user: User, events: list[Event]) -> dict[int, str]:
    """The person's registration status for each of the listed events they registered for."""
    if not events:
        return {}
    return dict(
        db.session.execute(
            select(Registration.event_id, Registration.status).where(
                Registration.user_id == user.id,
                Registration.event_id.in_([event.id for event in events]),
            )
        ).all()
    )
