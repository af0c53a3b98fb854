"""The report's sections: the figures as charts with labels in the reader's language, and the
same charts as JSON and CSV rows (one place turns counts into what people read)."""

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cta_learning import content, i18n
from cta_learning.accounts.forms import ORGANISATION_KIND_LABELS
from cta_learning.actions.labels import NATURE_LABELS, PLEDGE_TYPE_LABELS, TARGET_GROUP_LABELS
from cta_learning.community.mailing.models import TOPICS
from cta_learning.community.mgi.models import STEPS
from cta_learning.figures.charts import Chart, Row, number
from cta_learning.figures.operations import SUPPRESSED_UNDER, Figures, public_count

COUNTRIES_DRAWN = 15  # the chart shows the countries with the most actions; the table, all
TOTAL_LABELS = {
    "organisations": _l("Organisations with published actions"),
    "actions": _l("Published actions"),
    "enrolments": _l("Course enrolments"),
    "completions": _l("Course completions"),
    "certificates": _l("Certificates issued"),
    "registrations": _l("Event registrations"),
    "attended": _l("Event attendance"),
    "subscribers": _l("Mailing-list subscribers"),
    "mgi_requests": _l("Local MGI requests"),
}
ORGANISATIONS = ("organisations", _l("Organisations"))
ACTIONS = ("actions", _l("Actions"))


def _series(*pairs: tuple[str, Any]) -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in pairs]


def _labelled(counts: dict[str, int], labels: dict[str, Any]) -> list[Row]:
    """One row per known code, in the labels' order (codes nobody labelled are left out)."""
    return [Row(key, str(label), [counts.get(key, 0)]) for key, label in labels.items()]


def _countries(figures: Figures, as_they_are: bool) -> Chart:
    ordered = sorted(
        figures.by_country.items(), key=lambda item: (-item[1][1], i18n.country_name(item[0]))
    )
    rows = [
        Row(
            code,
            i18n.country_name(code),
            [orgs, actions] if as_they_are else [public_count(orgs), public_count(actions)],
        )
        for code, (orgs, actions) in ordered
    ]
    drawn = [row for row in rows if None not in row.values][:COUNTRIES_DRAWN]
    note = (
        _(
            "The counts as they are: the public page shows “fewer than %(number)d” under "
            "%(number)d.",
            number=SUPPRESSED_UNDER,
        )
        if as_they_are
        else _(
            "A country with fewer than %(number)d organisations or actions shows “fewer than "
            "%(number)d”. The chart shows the %(drawn)d countries with the most actions; the "
            "table, every country.",
            number=SUPPRESSED_UNDER,
            drawn=COUNTRIES_DRAWN,
        )
    )
    return Chart(
        "countries",
        _("Organisations and actions by country"),
        _series(ORGANISATIONS, ACTIONS),
        drawn,
        note=note,
        table_only=[row for row in rows if row not in drawn],
    )


def _actions(figures: Figures, as_they_are: bool) -> list[Chart]:
    language = i18n.current_language()
    priorities = content.priorities()
    regions = {
        region: figures.by_region.get(region, (0, 0))
        for region in i18n.REGION_NAMES
        if figures.filters.region in (None, region)
    }
    return [
        Chart(
            "years",
            _("Organisations and actions by year of publication"),
            _series(ORGANISATIONS, ACTIONS),
            [Row(str(year), str(year), [orgs, count]) for year, orgs, count in figures.by_year],
        ),
        Chart(
            "pledge-types",
            _("Actions by pledge type"),
            _series(ACTIONS),
            _labelled(figures.by_pledge_type, PLEDGE_TYPE_LABELS),
        ),
        Chart(
            "regions",
            _("Organisations and actions by UN region"),
            _series(ORGANISATIONS, ACTIONS),
            [
                Row(region, i18n.region_name(region), list(counts))
                for region, counts in regions.items()
            ],
        ),
        _countries(figures, as_they_are),
        Chart(
            "priorities",
            _("Actions by priority area"),
            _series(ACTIONS),
            [
                Row(str(p.id), p.title[language], [figures.by_priority.get(p.id, 0)])
                for p in priorities
            ],
            note=_("An action may serve several priority areas."),
        ),
        Chart(
            "target-groups",
            _("Actions by target group"),
            _series(ACTIONS),
            _labelled(figures.by_target_group, TARGET_GROUP_LABELS),
            note=_("An action may serve several groups."),
        ),
        Chart(
            "natures",
            _("Commitments and good practices"),
            _series(ACTIONS),
            _labelled(figures.by_nature, NATURE_LABELS),
            note=_(
                "An ongoing action with evidence of results is both a commitment and a good "
                "practice; a concluded one, a good practice."
            ),
        ),
        Chart(
            "kinds",
            _("Organisations by kind"),
            _series(ORGANISATIONS),
            _labelled(figures.by_kind, ORGANISATION_KIND_LABELS),
        ),
    ]


def _community(figures: Figures) -> list[Chart]:
    return [
        Chart(
            "course",
            _("Course enrolments, completions and certificates"),
            _series(
                ("enrolments", _l("Enrolments")),
                ("completions", _l("Completions")),
                ("certificates", _l("Certificates")),
            ),
            [
                Row(
                    str(course.course_id),
                    i18n.in_language(course.title),
                    [course.enrolments, course.completions, course.certificates],
                )
                for course in figures.courses
            ],
            note=_("Each counted in the year it happened: enrolled, completed, issued."),
        ),
        Chart(
            "events",
            _("Event registrations and attendance by year"),
            _series(
                ("events", _l("Events")),
                ("registrations", _l("Confirmed registrations")),
                ("attended", _l("Attended")),
            ),
            [Row(str(row[0]), str(row[0]), list(row[1:])) for row in figures.events_by_year],
        ),
        Chart(
            "topics",
            _("Mailing-list subscribers by topic"),
            _series(("subscribers", _l("Subscribers"))),
            _labelled(figures.subscribers_by_topic, TOPICS),
            note=_("The subscribers of today, whatever the year chosen."),
        ),
        Chart(
            "languages",
            _("Mailing-list subscribers by language"),
            _series(("subscribers", _l("Subscribers"))),
            [
                Row(code, i18n.language_name(code), [count])
                for code, count in sorted(figures.subscribers_by_language.items())
            ],
            note=_("The subscribers of today, whatever the year chosen."),
        ),
        Chart(
            "mgi",
            _("Local MGI requests by step"),
            _series(("requests", _l("Requests"))),
            _labelled(figures.mgi_by_step, STEPS),
        ),
    ]


def _details(figures: Figures) -> list[Chart]:
    """The secretariat's drill-downs: counts of actions, never a person."""
    language = i18n.current_language()
    regions = list(i18n.REGION_NAMES)
    return [
        Chart(
            "priority-regions",
            _("Actions by priority area and UN region"),
            [(region, i18n.region_name(region)) for region in regions],
            [
                Row(
                    str(p.id),
                    p.title[language],
                    [figures.priority_by_region.get((p.id, region), 0) for region in regions],
                )
                for p in content.priorities()
            ],
            stacked=True,
        )
    ]


def charts(figures: Figures, details: bool = False) -> list[Chart]:
    """Every chart of the report, in order; with the admins' drill-downs when `details`."""
    found = _actions(figures, as_they_are=details) + _community(figures)
    return found + _details(figures) if details else found


def totals(figures: Figures) -> list[tuple[str, str, int]]:
    """The headline numbers: (key, label, count)."""
    return [(key, str(label), figures.totals[key]) for key, label in TOTAL_LABELS.items()]


def as_json(figures: Figures) -> dict[str, Any]:
    """The public figures as JSON: a suppressed count is null, and its row says "suppressed"."""
    return {
        "filters": {"year": figures.filters.year, "region": figures.filters.region},
        "suppressed_under": SUPPRESSED_UNDER,
        "totals": dict(figures.totals),
        "sections": [
            {
                "key": chart.key,
                "title": chart.title,
                "note": chart.note,
                "series": [{"key": key, "label": label} for key, label in chart.series],
                "rows": [
                    {
                        "key": row.key,
                        "label": row.label,
                        "values": {
                            key: value
                            for (key, _label), value in zip(chart.series, row.values, strict=True)
                        },
                        "suppressed": None in row.values,
                    }
                    for row in chart.table_rows
                ],
            }
            for chart in charts(figures)
        ],
    }


CSV_HEADER = ("section", "key", "label", "measure", "value")


def csv_rows(figures: Figures) -> Iterator[tuple[str, ...]]:
    """The public figures as CSV rows: section, key, label, measure, value (a suppressed count
    reads "fewer than 5"); the totals first, as section "totals"."""
    for key, label, total in totals(figures):
        yield ("totals", key, label, key, str(total))
    for chart in charts(figures):
        for row in chart.table_rows:
            for (measure, _label), value in zip(chart.series, row.values, strict=True):
                shown = number(None) if value is None else str(value)
                yield (chart.key, row.key, row.label, measure, shown)
