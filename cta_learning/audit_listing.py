"""The secretariat's audit log: its filters, its query, and each event made readable.

An event names its subject by table and id (`audit.record`). Rows that belong to an
organisation carry an `organisation_id` column, so "this organisation's events" is read from
the tables themselves, and this module imports no feature. Names of subjects are read for a
whole page at once: one query per kind of subject on the page, whatever its length.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import joinedload
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, StopValidation, ValidationError

from cta_learning import audit_labels, languages
from cta_learning.accounts.models import Organisation, User
from cta_learning.audit import AuditEvent
from cta_learning.extensions import Model, db
from cta_learning.forms import FilterForm, strip_filter
from cta_learning.i18n import in_language
from cta_learning.spreadsheets import safe_cell

PER_PAGE = 50
EXPORT_CHUNK = 500  # events whose subjects' names are read together in the CSV export
NAME_COLUMNS = ("name", "title", "subject", "email")  # a subject's name, the first it has
LONGEST_VALUE = 300  # characters of a detail shown on the page (the CSV has them whole)
EXPORT_COLUMNS = (
    "time_utc",
    "kind",
    "kind_label",
    "person",
    "person_email",
    "subject_type",
    "subject_id",
    "subject",
    "details",
)


def _date_or_nothing(form: FilterForm, field: DateField) -> None:
    """An empty date is no filter; a date that is not one is refused with a clear message."""
    field.errors[:] = []
    if not (field.raw_data and field.raw_data[0].strip()):
        raise StopValidation()
    if field.data is None:
        raise StopValidation(_l("Enter a date, for example 2027-01-22."))


class AuditFilterForm(FilterForm):
    """The log's filters: a GET form; unlike other lists', a wrong value is refused (400)."""

    organisation = SelectField(_l("Organisation"), default="")
    person = StringField(
        _l("Person"),
        description=_l("A name or an email address, or a part of one."),
        filters=[strip_filter],
        validators=[Length(max=254, message=_l("At most %(max)d characters.", max=254))],
    )
    kind = SelectField(_l("Kind"), default="")
    since = DateField(_l("From (day)"), validators=[_date_or_nothing])
    until = DateField(_l("Until (day)"), validators=[_date_or_nothing])

    def set_choices(self) -> None:
        organisations = db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name)
        )
        self.organisation.choices = [SelectChoice("", _("All organisations"))] + [
            SelectChoice(str(number), name) for number, name in organisations
        ]
        self.kind.choices = [SelectChoice("", _("All kinds")), *audit_labels.kind_choices()]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def arguments(self) -> dict[str, str]:
        """The chosen filters as query arguments, for the pages' and the export's links."""
        return {name: value for name, value in self.raw_arguments().items() if value}

    def raw_arguments(self) -> dict[str, str]:
        return {name: (field.raw_data or [""])[0] for name, field in self._fields.items()}


@dataclass(frozen=True)
class AuditFilters:
    organisation_id: int | None = None
    person: str = ""
    kind: str = ""
    since: datetime | None = None  # UTC, included
    until: datetime | None = None  # UTC, excluded


def _utc_start_of(day: date, zone: str) -> datetime:
    """The moment a day begins in the admin's time zone, as a naive UTC datetime (stored so)."""
    return datetime.combine(day, time.min, ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


def filters_from(form: AuditFilterForm, zone: str) -> AuditFilters:
    """The filters of a validated form; its dates are days in the admin's time zone."""
    return AuditFilters(
        organisation_id=int(form.organisation.data) if form.organisation.data else None,
        person=form.person.data or "",
        kind=form.kind.data or "",
        since=_utc_start_of(form.since.data, zone) if form.since.data else None,
        until=_utc_start_of(form.until.data + timedelta(days=1), zone) if form.until.data else None,
    )


def _about_organisation(organisation_id: int) -> ColumnElement[bool]:
    """Events about the organisation or a row of its own (an action, a request…)."""
    conditions = [
        and_(AuditEvent.subject_type == "organisations", AuditEvent.subject_id == organisation_id)
    ]
    for table in Model.metadata.sorted_tables:
        if "organisation_id" in table.c and "id" in table.c:
            rows = select(table.c.id).where(table.c.organisation_id == organisation_id)
            conditions.append(
                and_(AuditEvent.subject_type == table.name, AuditEvent.subject_id.in_(rows))
            )
    return or_(*conditions)


def _about_person(term: str) -> ColumnElement[bool]:
    """Events done by, or about, the people whose name or email address contains `term`."""
    people = select(User.id).where(
        or_(
            User.email.contains(term.lower(), autoescape=True),
            User.name.icontains(term, autoescape=True),
        )
    )
    return or_(
        AuditEvent.actor_id.in_(people),
        and_(AuditEvent.subject_type == "users", AuditEvent.subject_id.in_(people)),
    )


def listing(filters: AuditFilters) -> Select[AuditEvent]:
    """The events that pass the filters, newest first, with the person who acted."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if filters.organisation_id is not None:
        query = query.where(_about_organisation(filters.organisation_id))
    if filters.person:
        query = query.where(_about_person(filters.person))
    if filters.kind:
        query = query.where(AuditEvent.verb == filters.kind)
    if filters.since is not None:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.at < filters.until)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def subject_names(events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """The names of the events' subjects still there: one query per kind of subject."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.subject_id is not None:
            wanted[event.subject_type].add(event.subject_id)
    names: dict[tuple[str, int], str] = {}
    for subject_type, ids in wanted.items():
        table = Model.metadata.tables.get(subject_type)
        if table is None or "id" not in table.c:
            continue
        column = next((table.c[name] for name in NAME_COLUMNS if name in table.c), None)
        if column is None:
            continue
        for number, name in db.session.execute(
            select(table.c.id, column).where(table.c.id.in_(ids))
        ):
            names[(subject_type, number)] = in_language(name) if isinstance(name, dict) else name
    return names


def _value_text(value: Any) -> str:
    """A detail's value as a person reads it."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_change_text(item)}" for key, item in value.items())
    return "—" if value is None or value == "" else str(value)


def _change_text(value: Any) -> str:
    """A correction's change is stored as [before, after]."""
    if isinstance(value, list) and len(value) == 2:
        return f"{_value_text(value[0])} {languages.forward_arrow()} {_value_text(value[1])}"
    return _value_text(value)


def readable_details(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An event's details as (translated label, value) pairs."""
    pairs = []
    for key, value in (details or {}).items():
        text = _value_text(value)
        if len(text) > LONGEST_VALUE:
            text = text[:LONGEST_VALUE] + "…"
        pairs.append((audit_labels.detail_label(key), text))
    return pairs


@dataclass(frozen=True)
class Entry:
    """An audit event as the page shows it."""

    event: AuditEvent
    kind: str
    subject_type: str
    subject_name: str | None
    details: list[tuple[str, str]]


def entries(events: list[AuditEvent]) -> list[Entry]:
    """A page's events, readable."""
    names = subject_names(events)
    return [
        Entry(
            event=event,
            kind=audit_labels.kind_label(event.verb),
            subject_type=audit_labels.subject_label(event.subject_type),
            subject_name=names.get((event.subject_type, event.subject_id or 0)),
            details=readable_details(event.details),
        )
        for event in events
    ]


def export_rows(query: Select[AuditEvent]) -> Iterator[list[str]]:
    """The CSV rows of every event of the query, read and named a chunk at a time."""
    events = iter(db.session.scalars(query.execution_options(yield_per=EXPORT_CHUNK)))
    while chunk := list(islice(events, EXPORT_CHUNK)):
        names = subject_names(chunk)
        for event in chunk:
            actor = event.actor
            yield [
                event.at.replace(tzinfo=UTC).isoformat(),
                event.verb,
                audit_labels.kind_label(event.verb),
                safe_cell(actor.name if actor else ""),
                safe_cell(actor.email if actor else ""),
                event.subject_type,
                "" if event.subject_id is None else str(event.subject_id),
                safe_cell(names.get((event.subject_type, event.subject_id or 0), "")),
                safe_cell(json.dumps(event.details or {}, ensure_ascii=False, sort_keys=True)),
            ]
