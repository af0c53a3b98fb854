"""The Call in figures: every count of the annual report, each one a GROUP BY in SQL.

The figures are counts keyed by codes (years, regions, countries, priority ids, pledge types,
topics, steps, course ids), never a person's name or address; labels are added in the
reader's language when they are shown. Published, a country's count of organisations or of
actions under SUPPRESSED_UNDER reads "fewer than 5" (`public_count`, the one place for that
rule); admins see it as it is.

The filters: the year (of publication for actions and organisations, of enrolment, completion
and issue for the course, of the event's start for registrations, of the request for Local
MGI; subscribers are those of today, whatever the year) and the UN region of the organisation
(for people: of the organisation they belong to, so a filtered count leaves out people of no
organisation). The number of queries is fixed, whatever the data and the filters.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    not_,
    or_,
    select,
)

from cta_learning import content_versions
from cta_learning.accounts.models import Membership, Organisation
from cta_learning.actions.classification import PLEDGE_TYPES, TARGET_GROUPS
from cta_learning.actions.models import Action, ActionPriority, ActionStatus
from cta_learning.actions.versions import REPOSITORY
from cta_learning.community.events.models import Event, EventStatus, Registration
from cta_learning.community.events.models import RegistrationStatus as Seat
from cta_learning.community.events.versions import EVENTS
from cta_learning.community.mailing.models import Subscriber, SubscriberStatus, SubscriberTopic
from cta_learning.community.mgi.models import MgiRequest
from cta_learning.courses.models import Certificate, Course, Enrolment
from cta_learning.courses.versions import CERTIFICATES, COURSES
from cta_learning.extensions import cache_get_or_make, db
from cta_learning.i18n import REGION_NAMES
from cta_learning.refusals import Refused

FIRST_YEAR = 2019  # the Call asks for actions from 2019 onwards
SUPPRESSED_UNDER = 5
# Enrolments, subscribers and Local MGI requests change without a content version: the figures
# are computed again at least this often (seconds).
FRESH_FOR = 600
VERSIONS = (REPOSITORY, EVENTS, COURSES, CERTIFICATES)
# Characters an action's "results" may hold and still be empty (Python's strip(), near enough).
_BLANK = " \t\r\n"


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    region: str | None = None

    def arguments(self) -> dict[str, str]:
        """The filters as query arguments (for links to the JSON, the CSV and the export)."""
        chosen = {"year": str(self.year) if self.year else "", "region": self.region or ""}
        return {name: value for name, value in chosen.items() if value}


def parse_filters(arguments: Mapping[str, str], today: date) -> Filters:
    """The year and region asked for ("" is every one); Refused (400) for any other value."""
    year_text = (arguments.get("year") or "").strip()
    region = (arguments.get("region") or "").strip() or None
    year = None
    if year_text:
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            raise Refused(_l("The year must be written with four digits, like 2024."), 400)
        year = int(year_text)
        if not FIRST_YEAR <= year <= today.year:
            raise Refused(
                _l(
                    "Choose a year from %(first)d to %(last)d.",
                    first=FIRST_YEAR,
                    last=today.year,
                ),
                400,
            )
    if region is not None and region not in REGION_NAMES:
        raise Refused(_l("Choose one of the UN regions listed."), 400)
    return Filters(year, region)


def public_count(count: int) -> int | None:
    """A country's count as published: None ("fewer than 5") under SUPPRESSED_UNDER."""
    return None if 0 < count < SUPPRESSED_UNDER else count


@dataclass(frozen=True)
class CourseCounts:
    course_id: int
    title: dict[str, str]  # {language: title}
    enrolments: int
    completions: int
    certificates: int


@dataclass
class Figures:
    """Every count of the report for one choice of filters."""

    filters: Filters
    totals: dict[str, int]
    by_year: list[tuple[int, int, int]]  # (year, organisations, actions)
    by_pledge_type: dict[str, int]
    by_kind: dict[str, int]  # organisations
    by_region: dict[str, tuple[int, int]]  # (organisations, actions)
    by_country: dict[str, tuple[int, int]]  # (organisations, actions), as they are
    by_priority: dict[int, int]
    by_target_group: dict[str, int]
    by_nature: dict[str, int]  # commitments and good practices
    courses: list[CourseCounts]
    events_by_year: list[tuple[int, int, int, int]]  # (year, events, registrations, attended)
    subscribers_by_topic: dict[str, int]
    subscribers_by_language: dict[str, int]
    mgi_by_step: dict[str, int]
    # Admins only: actions by (priority id, region).
    priority_by_region: dict[tuple[int, str], int] = field(default_factory=dict)


def _year_of(column: Any) -> ColumnElement[int]:
    return cast(extract("year", column), Integer)


def in_year(column: Any, year: int | None) -> list[ColumnElement[bool]]:
    """The column falls in the year (a range, so an index on it serves)."""
    if year is None:
        return []
    return [column >= datetime(year, 1, 1), column < datetime(year + 1, 1, 1)]


def _people_in_region(user_id: Any, region: str | None) -> list[ColumnElement[bool]]:
    """The person belongs to an organisation of the region."""
    if region is None:
        return []
    members = (
        select(Membership.user_id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Organisation.region == region)
    )
    return [user_id.in_(members)]


def _published(filters: Filters) -> list[ColumnElement[bool]]:
    conditions = [Action.status == ActionStatus.PUBLISHED]
    conditions += in_year(Action.published_at, filters.year)
    if filters.region is not None:
        in_region = select(Organisation.id).where(Organisation.region == filters.region)
        conditions.append(Action.organisation_id.in_(in_region))
    return conditions


def published_actions(filters: Filters) -> Select[*tuple[Any, ...]]:
    """The published actions in the annual report's shape (organisation, country, leader,
    title, dates, pledge type, description), read in batches."""
    return (
        select(
            Organisation.name,
            Organisation.country,
            Organisation.declaration_signatory,
            Action.title,
            Action.start_on,
            Action.end_on,
            Action.is_ongoing,
            Action.pledge_type,
            Action.description,
        )
        .join(Organisation, Organisation.id == Action.organisation_id)
        .where(*_published(filters))
        .order_by(Organisation.name, Action.published_at, Action.id)
        .execution_options(yield_per=500)
    )


def _natures(today: date) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Commitment and good practice as SQL, as `classification.natures` decides them."""
    started = and_(Action.start_on.is_not(None), Action.start_on <= today)
    concluded = and_(started, Action.end_on.is_not(None), Action.end_on < today)
    evidence = func.length(func.trim(Action.results, _BLANK)) > 0
    commitment = and_(Action.start_on.is_not(None), not_(concluded))
    good_practice = or_(concluded, and_(started, not_(concluded), evidence))
    return commitment, good_practice


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _action_figures(filters: Filters, today: date, details: bool) -> dict[str, Any]:
    """The actions' and organisations' figures: four queries (five with the details), each
    one pass over the published actions; the organisation is joined once per organisation,
    not once per action."""
    published = _published(filters)
    commitment, good_practice = _natures(today)
    totals = select(
        func.count(),
        _count_if(commitment),
        _count_if(good_practice),
        *[_count_if(getattr(Action, f"targets_{group}")) for group in TARGET_GROUPS],
        *[_count_if(Action.pledge_type == kind) for kind in PLEDGE_TYPES],
    ).where(*published)
    actions, commitments, good_practices, *counted = db.session.execute(totals).one()
    year = _year_of(Action.published_at)
    years = (
        select(year, func.count(func.distinct(Action.organisation_id)), func.count())
        .where(*published)
        .group_by(year)
        .order_by(year)
    )
    per_organisation = (
        select(Action.organisation_id, func.count().label("actions"))
        .where(*published)
        .group_by(Action.organisation_id)
        .subquery()
    )
    places = (
        select(
            Organisation.region,
            Organisation.country,
            Organisation.kind,
            func.count(),
            func.sum(per_organisation.c.actions),
        )
        .join(Organisation, Organisation.id == per_organisation.c.organisation_id)
        .group_by(Organisation.region, Organisation.country, Organisation.kind)
    )
    by_priority = (
        select(ActionPriority.priority_id, func.count())
        .join(Action, Action.id == ActionPriority.action_id)
        .where(*published)
        .group_by(ActionPriority.priority_id)
    )
    figures: dict[str, Any] = {
        "by_nature": {"commitment": commitments, "good_practice": good_practices},
        "by_target_group": dict(zip(TARGET_GROUPS, counted[: len(TARGET_GROUPS)], strict=True)),
        "by_pledge_type": dict(zip(PLEDGE_TYPES, counted[len(TARGET_GROUPS) :], strict=True)),
        "by_year": [tuple(row) for row in db.session.execute(years)],
        "by_priority": dict(db.session.execute(by_priority).all()),
        **_by_place(db.session.execute(places).all()),
    }
    figures["totals"] = {"organisations": sum(figures["by_kind"].values()), "actions": actions}
    if details:
        by_priority_and_region = (
            select(ActionPriority.priority_id, Organisation.region, func.count())
            .join(Action, Action.id == ActionPriority.action_id)
            .join(Organisation, Organisation.id == Action.organisation_id)
            .where(*published)
            .group_by(ActionPriority.priority_id, Organisation.region)
        )
        figures["priority_by_region"] = {
            (priority, region): count
            for priority, region, count in db.session.execute(by_priority_and_region)
        }
    return figures


def _by_place(rows: Sequence[Any]) -> dict[str, dict[Any, Any]]:
    """Regions, countries and kinds from counts already grouped by all three in SQL (a few
    hundred rows at most, whatever the data: one per country and kind)."""
    regions: dict[str, tuple[int, int]] = {}
    countries: dict[str, tuple[int, int]] = {}
    kinds: dict[str, int] = {}
    for region, country, kind, organisations, actions in rows:
        for totals, key in ((regions, region), (countries, country)):
            before = totals.get(key, (0, 0))
            totals[key] = (before[0] + organisations, before[1] + int(actions))
        kinds[kind] = kinds.get(kind, 0) + organisations
    return {"by_region": regions, "by_country": countries, "by_kind": kinds}


def _course_figures(filters: Filters) -> list[CourseCounts]:
    """Enrolments, completions and certificates per course: three queries."""
    people = _people_in_region(Enrolment.user_id, filters.region)
    enrolled = (
        _count_if(and_(*in_year(Enrolment.enrolled_at, filters.year)))
        if filters.year
        else func.count()
    )
    completed = and_(
        Enrolment.completed_at.is_not(None), *in_year(Enrolment.completed_at, filters.year)
    )
    counts = {
        course: (enrolments, completions)
        for course, enrolments, completions in db.session.execute(
            select(Enrolment.course_id, enrolled, _count_if(completed))
            .where(*people)
            .group_by(Enrolment.course_id)
        )
    }
    certificates = dict(
        db.session.execute(
            select(Certificate.course_id, func.count())
            .join(Enrolment, Enrolment.id == Certificate.enrolment_id)
            .where(*in_year(Certificate.issued_at, filters.year), *people)
            .group_by(Certificate.course_id)
        ).all()
    )
    courses = db.session.execute(select(Course.id, Course.title).order_by(Course.position))
    return [
        CourseCounts(course, title, *counts.get(course, (0, 0)), certificates.get(course, 0))
        for course, title in courses
    ]


def _event_figures(filters: Filters) -> list[tuple[int, int, int, int]]:
    """Published events, confirmed registrations and attendance by year: one query."""
    year = _year_of(Event.starts_at)
    query = (
        select(
            year,
            func.count(func.distinct(Event.id)),
            func.count(Registration.id),
            _count_if(Registration.attended.is_(True)),
        )
        .join(
            Registration,
            and_(
                Registration.event_id == Event.id,
                Registration.status == Seat.CONFIRMED,
                *_people_in_region(Registration.user_id, filters.region),
            ),
            isouter=True,
        )
        .where(Event.status == EventStatus.PUBLISHED, *in_year(Event.starts_at, filters.year))
        .group_by(year)
        .order_by(year)
    )
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def _community_figures(filters: Filters) -> dict[str, Any]:
    """Subscribers by topic and language, Local MGI requests by step: three queries."""
    subscribed = [
        Subscriber.status == SubscriberStatus.SUBSCRIBED,
        Subscriber.suppressed_at.is_(None),
        *_people_in_region(Subscriber.user_id, filters.region),
    ]
    topics = select(SubscriberTopic.topic, func.count()).join(
        Subscriber, Subscriber.id == SubscriberTopic.subscriber_id
    )
    languages = select(Subscriber.language, func.count())
    steps = select(MgiRequest.step, func.count()).join(
        Organisation, Organisation.id == MgiRequest.organisation_id
    )
    in_region = [Organisation.region == filters.region] if filters.region else []
    return {
        "subscribers_by_topic": dict(
            db.session.execute(topics.where(*subscribed).group_by(SubscriberTopic.topic)).all()
        ),
        "subscribers_by_language": dict(
            db.session.execute(languages.where(*subscribed).group_by(Subscriber.language)).all()
        ),
        "mgi_by_step": dict(
            db.session.execute(
                steps.where(*in_year(MgiRequest.created_at, filters.year), *in_region).group_by(
                    MgiRequest.step
                )
            ).all()
        ),
    }


_COURSE_TOTALS = ("enrolments", "completions", "certificates")


def _assemble(filters: Filters, actions: dict[str, Any], rest: tuple[Any, ...]) -> Figures:
    courses, events, community = rest
    actions = dict(actions)
    totals = {
        **actions.pop("totals"),
        **{name: sum(getattr(c, name) for c in courses) for name in _COURSE_TOTALS},
        "registrations": sum(row[2] for row in events),
        "attended": sum(row[3] for row in events),
        # Each subscriber has at least a language: their sum is the number of subscribers.
        "subscribers": sum(community["subscribers_by_language"].values()),
        "mgi_requests": sum(community["mgi_by_step"].values()),
    }
    return Figures(
        filters=filters,
        totals=totals,
        courses=courses,
        events_by_year=events,
        **actions,
        **community,
    )


def compute(filters: Filters, today: date, details: bool = False) -> Figures:
    """Every figure for the filters: eleven queries (twelve with the admins' details)."""
    rest = (_course_figures(filters), _event_figures(filters), _community_figures(filters))
    return _assemble(filters, _action_figures(filters, today, details), rest)


def figures(filters: Filters, today: date, details: bool = False) -> Figures:
    """The figures from the shared cache. The actions' (the costly part: passes over every
    published action) change only with the repository's version, so they are counted again
    once per change; the rest is cheap, and is counted again at least every FRESH_FOR seconds,
    as enrolments, subscribers and requests change without a version."""
    versions = content_versions.current_many(VERSIONS)
    chosen = f"{today}:{filters.year}:{filters.region}"
    actions = cache_get_or_make(
        f"figures:actions:{versions[VERSIONS.index(REPOSITORY)]}:{chosen}:{details}",
        lambda: _action_figures(filters, today, details),
    )
    bucket = int(datetime.now().timestamp() // FRESH_FOR)
    rest = cache_get_or_make(
        f"figures:rest:{versions}:{bucket}:{chosen}",
        lambda: (_course_figures(filters), _event_figures(filters), _community_figures(filters)),
    )
    return _assemble(filters, actions, rest)
